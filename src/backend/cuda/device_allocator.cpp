// The caching device allocator. Size classes as the CPU allocator's (512-byte steps below
// 1 MiB, four steps per power of two above), so a training loop in steady state finds every
// block it needs in the cache and never calls cudaMalloc (which may synchronise the device) or
// cudaFree (which always does).
#include <bit>

#include "backend/cuda/cuda_check.hpp"
#include "backend/cuda/device_allocator.hpp"

namespace nabla::cuda {

namespace {

constexpr size_t kGranule = 512;  // cudaMalloc aligns to 256 bytes; 512 keeps bins few

size_t size_class(size_t bytes) {
  constexpr size_t kSmall = size_t{1} << 20;
  if (bytes == 0) return kGranule;
  if (bytes <= kSmall) return (bytes + kGranule - 1) / kGranule * kGranule;
  const size_t step = std::bit_floor(bytes) / 4;
  return (bytes + step - 1) / step * step;
}

}  // namespace

void* DeviceAllocator::allocate(size_t bytes) {
  const size_t size = size_class(bytes);
  {
    std::lock_guard lock(mutex_);
    auto bin = free_blocks_.find(size);
    if (bin != free_blocks_.end() && !bin->second.empty()) {
      void* block = bin->second.back();
      bin->second.pop_back();
      stats_.bytes_cached -= size;
      stats_.bytes_in_use += size;
      return block;
    }
  }
  void* block = nullptr;
  cudaError_t status = cudaMalloc(&block, size);
  if (status == cudaErrorMemoryAllocation) {
    (void)cudaGetLastError();  // not sticky: clear it, give the cache back and try once more
    empty_cache();
    status = cudaMalloc(&block, size);
  }
  if (status != cudaSuccess) {
    (void)cudaGetLastError();
    const MemoryStats now = stats();
    NABLA_FAIL("cuda allocator: cannot allocate ", bytes, " bytes (", cudaGetErrorString(status),
               "); ", now.bytes_in_use, " bytes are held by live tensors; reduce the batch size "
               "or the model size");
  }
  std::lock_guard lock(mutex_);
  ++stats_.system_allocations;
  stats_.bytes_in_use += size;
  return block;
}

void DeviceAllocator::deallocate(void* data, size_t bytes) {
  if (data == nullptr) return;
  const size_t size = size_class(bytes);
  std::lock_guard lock(mutex_);
  free_blocks_[size].push_back(data);
  stats_.bytes_in_use -= size;
  stats_.bytes_cached += size;
}

MemoryStats DeviceAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void DeviceAllocator::empty_cache() {
  std::lock_guard lock(mutex_);
  // cudaFree waits for the device, so no queued kernel still reads a block freed here.
  for (auto& [size, blocks] : free_blocks_)
    for (void* block : blocks) NABLA_CUDA_CHECK(cudaFree(block));
  free_blocks_.clear();
  stats_.bytes_cached = 0;
}

DeviceAllocator::~DeviceAllocator() {
  for (auto& [size, blocks] : free_blocks_)
    for (void* block : blocks) (void)cudaFree(block);  // no throwing from a destructor
}

}  // namespace nabla::cuda
