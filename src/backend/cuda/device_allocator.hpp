// A caching allocator for device memory, as PyTorch's: cudaMalloc is slow and synchronises the
// device, so freed blocks are kept by size class and handed out again. All work runs on the
// backend's one stream, so a block freed by a tensor may be reused by the next kernel at once.
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include "nabla/memory.hpp"

namespace nabla::cuda {

class DeviceAllocator {
 public:
  DeviceAllocator() = default;
  ~DeviceAllocator();
  DeviceAllocator(const DeviceAllocator&) = delete;
  DeviceAllocator& operator=(const DeviceAllocator&) = delete;

  void* allocate(size_t bytes);  // an out-of-memory retries once after empty_cache()
  void deallocate(void* data, size_t bytes);
  MemoryStats stats() const;
  void empty_cache();

 private:
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_blocks_;  // by size class
  MemoryStats stats_;
};

}  // namespace nabla::cuda
