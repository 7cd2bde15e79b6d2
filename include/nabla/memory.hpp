// The caching allocator's counters, per device. A training loop in steady state reuses cached
// blocks, so `system_allocations` stops growing after the first step.
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>

#include "nabla/device.hpp"

namespace nabla {

struct MemoryStats {
  uint64_t system_allocations = 0;  // calls into the system allocator so far
  uint64_t bytes_in_use = 0;        // held by live tensors
  uint64_t bytes_cached = 0;        // freed by tensors, kept for reuse
};
MemoryStats memory_stats(Device device = Device::CPU);
void empty_cache(Device device = Device::CPU);  // returns cached blocks to the system

}  // namespace nabla

#pragma GCC visibility pop
