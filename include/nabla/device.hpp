// Where a tensor's memory lives: the CPU, or an NVIDIA GPU when nabla is built with the cuda
// preset (-DNABLA_CUDA=ON; docs/cuda.md). Move tensors with .to(Device::CUDA), modules with
// Module::to(Device::CUDA):
//
//   const Device device = nabla::cuda_available() ? Device::CUDA : Device::CPU;
//   model->to(device);                       // before creating the optimizer
//   Tensor y = (*model)(x.to(device));
#pragma once
#pragma GCC visibility push(default)

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

// True when nabla was built with CUDA and a GPU is visible (cudaGetDeviceCount > 0). Never
// throws: without a driver or a GPU it is false.
bool cuda_available();

}  // namespace nabla

#pragma GCC visibility pop
