#include "backend/cpu/caching_allocator.hpp"

#include <cstdlib>

#include "nabla/error.hpp"

namespace nabla::cpu {

size_t CachingAllocator::size_class(size_t bytes) { return BlockCache(kAlignment).size_class(bytes); }

void* CachingAllocator::allocate(size_t bytes) {
  const size_t size = cache_.size_class(bytes);
  if (void* cached = cache_.take(size)) return cached;
  void* block = std::aligned_alloc(kAlignment, size);
  if (block == nullptr) {
    empty_cache();  // give cached blocks back and try once more before failing
    block = std::aligned_alloc(kAlignment, size);
  }
  NABLA_CHECK(block != nullptr, "cpu allocator: out of memory allocating ", bytes,
              " bytes; reduce the batch size or model size");
  cache_.count_system_allocation(size);
  return block;
}

void CachingAllocator::deallocate(void* data, size_t bytes) {
  if (data != nullptr) cache_.put(data, cache_.size_class(bytes));
}

void CachingAllocator::empty_cache() {
  cache_.drain([](void* block) { std::free(block); });
}

CachingAllocator::~CachingAllocator() { empty_cache(); }

}  // namespace nabla::cpu
