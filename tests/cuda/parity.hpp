// The CPU-vs-CUDA parity harness. A test builds inputs on the CPU, runs the same public API
// (ops, modules, autograd) on them and on copies moved with .to(Device::CUDA), and compares the
// outputs and every input's gradient; the CPU backend is the reference. Every test starts with
// NABLA_REQUIRE_CUDA(), which skips it, saying why, where no GPU is present.
//
//   NABLA_REQUIRE_CUDA();
//   manual_seed(1);
//   EXPECT_TRUE(matches_cpu([](const Inputs& x) { return nabla::exp(x[0]); },
//                           {randn({4, 5}, {.requires_grad = true})}));
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "nabla/nabla.hpp"
#include "support/harness.hpp"

#define NABLA_REQUIRE_CUDA()                                                               \
  do {                                                                                     \
    if (!::nabla::cuda_available())                                                        \
      GTEST_SKIP() << "no CUDA device: nabla::cuda_available() is false (no GPU or no "    \
                      "driver on this machine); this test runs where a GPU is present";    \
  } while (0)

namespace nabla::testing::cuda {

using Inputs = std::vector<Tensor>;
using Fn = std::function<Tensor(const Inputs&)>;

// float32 results of different summation orders and math libraries (CUDA's expf against
// glibc's) agree to a few ulps; float64 ones to many more digits.
struct Tolerance {
  double rtol = 1e-5, atol = 1e-6;
};
inline constexpr Tolerance kFloat64{1e-10, 1e-12};
inline constexpr Tolerance kExact{0.0, 0.0};

// A copy of `t` on `device` that is a leaf of its own (requiring grad as `t` does).
inline Tensor leaf_on(const Tensor& t, Device device) {
  Tensor copy = t.detach().to(device);
  if (t.requires_grad()) copy.requires_grad_(true);
  return copy;
}

inline ::testing::AssertionResult close(const Tensor& cuda, const Tensor& cpu, Tolerance tol,
                                        const std::string& what) {
  if (cuda.defined() != cpu.defined())
    return ::testing::AssertionFailure() << what << ": defined on one device only";
  if (!cuda.defined()) return ::testing::AssertionSuccess();
  if (cuda.device() != Device(Device::CUDA))
    return ::testing::AssertionFailure() << what << ": on " << cuda.device() << ", not cuda";
  if (cuda.dtype() != cpu.dtype())
    return ::testing::AssertionFailure() << what << ": dtype " << cuda.dtype() << " vs "
                                         << cpu.dtype();
  auto result = all_close(cuda.to(Device::CPU), cpu, tol.rtol, tol.atol);
  if (!result) result << " (" << what << ")";
  return result;
}

// Runs fn on `inputs` (CPU tensors) and on CUDA copies of them; the outputs must match, and
// for a floating output, the gradients of (output * seed).sum() with respect to every input
// that requires grad, seed a fixed random tensor of the output's shape.
inline ::testing::AssertionResult matches_cpu(const Fn& fn, const Inputs& inputs,
                                              Tolerance tol = {}) {
  Inputs cpu, gpu;
  for (const Tensor& t : inputs) {
    cpu.push_back(leaf_on(t, Device::CPU));
    gpu.push_back(leaf_on(t, Device::CUDA));
  }
  const Tensor want = fn(cpu), got = fn(gpu);
  if (auto forward = close(got, want, tol, "forward"); !forward) return forward;
  if (!want.requires_grad()) return ::testing::AssertionSuccess();
  const Tensor seed = randn(want.shape(), {.dtype = want.dtype()});
  (want * seed).sum().backward();
  (got * seed.to(Device::CUDA)).sum().backward();
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    if (auto grad = close(gpu[i].grad(), cpu[i].grad(), tol, "gradient of input " + std::to_string(i));
        !grad)
      return grad;
  }
  return ::testing::AssertionSuccess();
}

// float32 and float64 leaves of one set of random values (standard normal).
inline Tensor randn_leaf(const Shape& shape, DType dtype = DType::f32, bool requires_grad = true) {
  return randn(shape, {.dtype = dtype, .requires_grad = requires_grad});
}

}  // namespace nabla::testing::cuda
