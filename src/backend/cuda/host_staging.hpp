// Asynchronous host → device copies for input batches (Backend::copy_from_host_async), as
// torch's pin_memory + non_blocking: the bytes go through pinned (page-locked) host buffers,
// which cudaMemcpyAsync sends by DMA without blocking the host, on a copy stream of their own,
// so a batch's transfer overlaps the kernels the compute stream is running.
//
// Ordering, with the backend's one compute stream:
//  - each copy first waits for the compute work queued before it: its destination block may
//    come from the caching allocator, freed by a tensor that queued kernels still read (the
//    allocator reuses blocks at once because everything else runs on the compute stream);
//  - order_compute_after_copies() makes the compute stream wait for every copy issued so far
//    (an event: the host does not block).
// Staging buffers are cudaHostAlloc'ed on demand and kept: one is free again once the event
// recorded after its copy has completed, so a training loop in steady state (two batches in
// flight, inputs and targets each) allocates no pinned memory. At most kMaxBuffers are kept; past
// that the least recently used one is waited for and reused (grown when too small).
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "backend/cuda/cuda_check.hpp"

namespace nabla::cuda {

class HostStaging {
 public:
  explicit HostStaging(cudaStream_t compute);  // creates the copy stream and events
  ~HostStaging();
  HostStaging(const HostStaging&) = delete;
  HostStaging& operator=(const HostStaging&) = delete;

  // Copies `host` into a staging buffer (the caller may reuse `host` on return) and queues its
  // transfer to `device_data` on the copy stream.
  void copy_to_device(void* device_data, const void* host, size_t bytes);
  void order_compute_after_copies();
  void synchronize();  // waits for every copy issued so far

 private:
  static constexpr size_t kMaxBuffers = 8;
  struct Buffer {
    void* data = nullptr;
    size_t bytes = 0;
    cudaEvent_t copied = nullptr;  // recorded on the copy stream after the buffer's last copy
    uint64_t last_use = 0;
  };
  Buffer& acquire(size_t bytes);

  std::mutex mutex_;
  cudaStream_t compute_ = nullptr, copy_ = nullptr;
  cudaEvent_t compute_mark_ = nullptr;  // the compute stream's tail, for the copy to wait on
  cudaEvent_t copies_done_ = nullptr;   // the copy stream's tail, for the compute stream
  std::vector<Buffer> buffers_;
  uint64_t uses_ = 0;
};

}  // namespace nabla::cuda
