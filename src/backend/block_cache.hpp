// What every caching allocator of nabla shares (host memory in src/backend/cpu, device memory in
// src/backend/cuda): size classes, bins of freed blocks and the counters. A backend's allocator
// asks take() first and goes to its system allocator only when it returns nullptr; so a training
// loop in steady state makes no system allocations on any device.
#pragma once

#include <bit>
#include <cstddef>
#include <map>
#include <mutex>
#include <vector>

#include "nabla/memory.hpp"

namespace nabla {

class BlockCache {
 public:
  // granule: the step of the size classes below 1 MiB (and the smallest class); above it there
  // are four classes per power of two, so a block has at most 25% slack.
  explicit BlockCache(size_t granule) : granule_(granule) {}

  size_t size_class(size_t bytes) const {
    constexpr size_t kSmall = size_t{1} << 20;
    if (bytes == 0) return granule_;
    if (bytes <= kSmall) return (bytes + granule_ - 1) / granule_ * granule_;
    const size_t step = std::bit_floor(bytes) / 4;
    return (bytes + step - 1) / step * step;
  }

  // A cached block of exactly `size` (a size class), counted as in use; nullptr when none.
  void* take(size_t size) {
    std::lock_guard lock(mutex_);
    auto bin = free_blocks_.find(size);
    if (bin == free_blocks_.end() || bin->second.empty()) return nullptr;
    void* block = bin->second.back();
    bin->second.pop_back();
    stats_.bytes_cached -= size;
    stats_.bytes_in_use += size;
    return block;
  }
  // A block the caller has just obtained from its system allocator, now in use.
  void count_system_allocation(size_t size) {
    std::lock_guard lock(mutex_);
    ++stats_.system_allocations;
    stats_.bytes_in_use += size;
  }
  // A block given back: cached for the next take() of its size class.
  void put(void* block, size_t size) {
    std::lock_guard lock(mutex_);
    free_blocks_[size].push_back(block);
    stats_.bytes_in_use -= size;
    stats_.bytes_cached += size;
  }
  // Hands every cached block to release (the system's free) and forgets them.
  template <class Release> void drain(Release&& release) {
    std::lock_guard lock(mutex_);
    for (auto& [size, blocks] : free_blocks_)
      for (void* block : blocks) release(block);
    free_blocks_.clear();
    stats_.bytes_cached = 0;
  }

  MemoryStats stats() const {
    std::lock_guard lock(mutex_);
    return stats_;
  }

 private:
  const size_t granule_;
  mutable std::mutex mutex_;
  std::map<size_t, std::vector<void*>> free_blocks_;  // by size class
  MemoryStats stats_;
};

}  // namespace nabla
