// The caching device allocator. Size classes as the CPU allocator's (512-byte steps below
// 1 MiB, four steps per power of two above), so a training loop in steady state finds every
// block it needs in the cache and never calls cudaMalloc (which may synchronise the device) or
// cudaFree (which always does).
#include "backend/cuda/cuda_check.hpp"
#include "backend/cuda/device_allocator.hpp"

namespace nabla::cuda {

void* DeviceAllocator::allocate(size_t bytes) {
  const size_t size = cache_.size_class(bytes);
  if (void* cached = cache_.take(size)) return cached;
  void* block = nullptr;
  cudaError_t status = cudaMalloc(&block, size);
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // not sticky: clear it, give the cache back and try once more
    empty_cache();
    status = cudaMalloc(&block, size);
  }
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    NABLA_FAIL("cuda allocator: cannot allocate ", bytes, " bytes (", cudaGetErrorString(status),
               "); ", cache_.stats().bytes_in_use, " bytes are held by live tensors; reduce the "
               "batch size or the model size");
  }
  cache_.count_system_allocation(size);
  return block;
}

void DeviceAllocator::deallocate(void* data, size_t bytes) {
  if (data != nullptr) cache_.put(data, cache_.size_class(bytes));
}

void DeviceAllocator::empty_cache() {
  // cudaFree waits for the device, so no queued kernel still reads a block freed here.
  cache_.drain([](void* block) { NABLA_CUDA_CHECK(cudaFree(block)); });
}

DeviceAllocator::~DeviceAllocator() {
  cache_.drain([](void* block) { (void)cudaFree(block); });  // no throwing from a destructor
}

}  // namespace nabla::cuda
