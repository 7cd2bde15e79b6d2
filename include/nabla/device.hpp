// Where a tensor's memory lives. Only the CPU exists today; the CUDA backend is a new folder
// under src/backend/ that registers itself for Device::CUDA.
#pragma once

#include <ostream>

namespace nabla {

struct Device {
  enum Kind : int { CPU = 0, CUDA = 1 };
  static constexpr int kKindCount = 2;

  Kind kind = CPU;
  int index = 0;

  Device() = default;
  Device(Kind k, int i = 0) : kind(k), index(i) {}  // NOLINT: implicit from Kind, as torch
  bool operator==(const Device&) const = default;
};

const char* device_kind_name(Device::Kind kind);  // "cpu", "cuda"
std::ostream& operator<<(std::ostream& out, Device device);

}  // namespace nabla
