#include "backend/cpu/cpu_backend.hpp"

namespace nabla {

Backend& cpu_backend() {
  // Never destroyed: tensors with static storage may outlive any destruction order.
  static auto* backend = new cpu::CpuBackend();
  return *backend;
}

MemoryStats memory_stats(Device device) { return backend_for(device).memory_stats(); }
void empty_cache(Device device) { backend_for(device).empty_cache(); }

}  // namespace nabla

namespace nabla::cpu {

bool CpuBackend::supports(OpId op, DType dtype) const {
  const bool floating = is_floating(dtype);
  switch (op) {
    case OpId::copy:
    case OpId::fill:
      return true;
    case OpId::randint:
      return dtype != DType::b8;
    case OpId::eq: case OpId::ne: case OpId::lt: case OpId::le: case OpId::gt: case OpId::ge:
      return dtype != DType::b8;
    case OpId::where:  // the dtype of the values; the condition is bool
      return true;
    default:
      return floating;
  }
}

}  // namespace nabla::cpu
