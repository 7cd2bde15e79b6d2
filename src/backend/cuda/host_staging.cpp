// Pinned staging buffers and the copy stream (host_staging.hpp).
#include "backend/cuda/host_staging.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

namespace nabla::cuda {

namespace {

// Buffers come in powers of two from 64 KiB, so batches whose size varies a little (a short
// last batch) share them.
size_t buffer_size(size_t bytes) { return std::bit_ceil(std::max(bytes, size_t{1} << 16)); }

// Whether the work before `event` has finished; an error other than "not yet" is one.
bool completed(cudaEvent_t event) {
  const cudaError_t status = cudaEventQuery(event);
  if (status == cudaErrorNotReady) {
    (void)cudaGetLastError();  // as torch: the runtime may keep "not ready" as the last error
    return false;
  }
  NABLA_CUDA_CHECK(status);
  return true;
}

}  // namespace

HostStaging::HostStaging(cudaStream_t compute) : compute_(compute) {
  NABLA_CUDA_CHECK(cudaStreamCreateWithFlags(&copy_, cudaStreamNonBlocking));
  NABLA_CUDA_CHECK(cudaEventCreateWithFlags(&compute_mark_, cudaEventDisableTiming));
  NABLA_CUDA_CHECK(cudaEventCreateWithFlags(&copies_done_, cudaEventDisableTiming));
}

HostStaging::~HostStaging() {
  // Never throws: the backend that owns this lives for the whole process anyway.
  if (copy_ != nullptr) (void)cudaStreamSynchronize(copy_);
  for (Buffer& buffer : buffers_) {
    (void)cudaEventDestroy(buffer.copied);
    (void)cudaFreeHost(buffer.data);
  }
  if (copies_done_ != nullptr) (void)cudaEventDestroy(copies_done_);
  if (compute_mark_ != nullptr) (void)cudaEventDestroy(compute_mark_);
  if (copy_ != nullptr) (void)cudaStreamDestroy(copy_);
}

HostStaging::Buffer& HostStaging::acquire(size_t bytes) {
  for (Buffer& buffer : buffers_)
    if (buffer.bytes >= bytes && completed(buffer.copied)) return buffer;
  if (buffers_.size() < kMaxBuffers) {
    Buffer buffer;
    buffer.bytes = buffer_size(bytes);
    NABLA_CUDA_CHECK(cudaHostAlloc(&buffer.data, buffer.bytes, cudaHostAllocDefault));
    NABLA_CUDA_CHECK(cudaEventCreateWithFlags(&buffer.copied, cudaEventDisableTiming));
    return buffers_.emplace_back(buffer);
  }
  // All kept buffers busy or too small: wait for the least recently used one.
  Buffer& oldest = *std::min_element(buffers_.begin(), buffers_.end(),
                                     [](const Buffer& a, const Buffer& b) {
                                       return a.last_use < b.last_use;
                                     });
  NABLA_CUDA_CHECK(cudaEventSynchronize(oldest.copied));
  if (oldest.bytes < bytes) {
    NABLA_CUDA_CHECK(cudaFreeHost(oldest.data));
    oldest.data = nullptr;
    oldest.bytes = buffer_size(bytes);
    NABLA_CUDA_CHECK(cudaHostAlloc(&oldest.data, oldest.bytes, cudaHostAllocDefault));
  }
  return oldest;
}

void HostStaging::copy_to_device(void* device_data, const void* host, size_t bytes) {
  if (bytes == 0) return;
  std::lock_guard lock(mutex_);
  Buffer& buffer = acquire(bytes);
  buffer.last_use = ++uses_;
  std::memcpy(buffer.data, host, bytes);  // from here on the caller's memory is not read
  NABLA_CUDA_CHECK(cudaEventRecord(compute_mark_, compute_));
  NABLA_CUDA_CHECK(cudaStreamWaitEvent(copy_, compute_mark_, 0));
  NABLA_CUDA_CHECK(
      cudaMemcpyAsync(device_data, buffer.data, bytes, cudaMemcpyHostToDevice, copy_));
  NABLA_CUDA_CHECK(cudaEventRecord(buffer.copied, copy_));
}

void HostStaging::order_compute_after_copies() {
  std::lock_guard lock(mutex_);
  NABLA_CUDA_CHECK(cudaEventRecord(copies_done_, copy_));
  NABLA_CUDA_CHECK(cudaStreamWaitEvent(compute_, copies_done_, 0));
}

void HostStaging::synchronize() { NABLA_CUDA_CHECK(cudaStreamSynchronize(copy_)); }

}  // namespace nabla::cuda
