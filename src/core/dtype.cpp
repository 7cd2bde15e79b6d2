#include "nabla/device.hpp"
#include "nabla/dtype.hpp"
#include "nabla/error.hpp"

namespace nabla {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::f32: return 4;
    case DType::f64: return 8;
    case DType::i64: return 8;
    case DType::b8: return 1;
  }
  NABLA_FAIL("dtype_size: unknown dtype ", static_cast<int>(dtype));
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::f32: return "float32";
    case DType::f64: return "float64";
    case DType::i64: return "int64";
    case DType::b8: return "bool";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, DType dtype) { return out << dtype_name(dtype); }

const char* device_kind_name(Device::Kind kind) {
  switch (kind) {
    case Device::CPU: return "cpu";
    case Device::CUDA: return "cuda";
  }
  return "unknown";
}

std::ostream& operator<<(std::ostream& out, Device device) {
  out << device_kind_name(device.kind);
  if (device.kind != Device::CPU) out << ':' << device.index;
  return out;
}

}  // namespace nabla
