// A caching allocator for host memory. Freed blocks are kept in size-class bins and handed out
// again, so a training loop in steady state makes no system calls for its tensors (and glibc
// never unmaps and re-faults large activations; see shared/BENCHMARKING.md, pitfall 3).
// Blocks are 64-byte aligned for AVX-512 loads.
#pragma once

#include <cstddef>

#include "backend/block_cache.hpp"
#include "nabla/memory.hpp"

namespace nabla::cpu {

class CachingAllocator {
 public:
  static constexpr size_t kAlignment = 64;

  CachingAllocator() = default;
  ~CachingAllocator();
  CachingAllocator(const CachingAllocator&) = delete;
  CachingAllocator& operator=(const CachingAllocator&) = delete;

  void* allocate(size_t bytes);
  void deallocate(void* data, size_t bytes);
  MemoryStats stats() const { return cache_.stats(); }
  void empty_cache();

  // The size class a request is served from: a multiple of 64 bytes below 1 MiB, otherwise the
  // next of four steps per power of two (at most 25% slack).
  static size_t size_class(size_t bytes);

 private:
  BlockCache cache_{kAlignment};
};

}  // namespace nabla::cpu
