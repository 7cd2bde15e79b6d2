// A caching allocator for device memory, as PyTorch's: cudaMalloc is slow and synchronises the
// device, so freed blocks are kept by size class and handed out again. All work runs on the
// backend's one stream, so a block freed by a tensor may be reused by the next kernel at once.
#pragma once

#include <cstddef>

#include "backend/block_cache.hpp"
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
  MemoryStats stats() const { return cache_.stats(); }
  void empty_cache();

 private:
  // 512-byte classes below 1 MiB: cudaMalloc aligns to 256 bytes; 512 keeps bins few.
  BlockCache cache_{512};
};

}  // namespace nabla::cuda
