#include "backend/cpu/caching_allocator.hpp"

#include <bit>
#include <cstdlib>
#include <new>

#include "nabla/error.hpp"

namespace nabla::cpu {

size_t CachingAllocator::size_class(size_t bytes) {
  constexpr size_t kSmall = size_t{1} << 20;
  if (bytes == 0) return kAlignment;
  if (bytes <= kSmall) return (bytes + kAlignment - 1) / kAlignment * kAlignment;
  const size_t power = std::bit_floor(bytes);
  const size_t step = power / 4;
  return (bytes + step - 1) / step * step;
}

void* CachingAllocator::allocate(size_t bytes) {
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
  void* block = std::aligned_alloc(kAlignment, size);
  if (block == nullptr) {
    empty_cache();  // give cached blocks back and try once more before failing
    block = std::aligned_alloc(kAlignment, size);
  }
  NABLA_CHECK(block != nullptr, "cpu allocator: out of memory allocating ", bytes,
              " bytes; reduce the batch size or model size");
  std::lock_guard lock(mutex_);
  ++stats_.system_allocations;
  stats_.bytes_in_use += size;
  return block;
}

void CachingAllocator::deallocate(void* data, size_t bytes) {
  if (data == nullptr) return;
  const size_t size = size_class(bytes);
  std::lock_guard lock(mutex_);
  free_blocks_[size].push_back(data);
  stats_.bytes_in_use -= size;
  stats_.bytes_cached += size;
}

MemoryStats CachingAllocator::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CachingAllocator::empty_cache() {
  std::lock_guard lock(mutex_);
  for (auto& [size, blocks] : free_blocks_)
    for (void* block : blocks) std::free(block);
  free_blocks_.clear();
  stats_.bytes_cached = 0;
}

CachingAllocator::~CachingAllocator() { empty_cache(); }

}  // namespace nabla::cpu
