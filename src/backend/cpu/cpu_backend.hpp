// The CPU backend: OpenMP loops, OpenBLAS GEMM, a caching allocator. Its kernels are spread
// over one file per family (elementwise.cpp, reduce.cpp, gemm.cpp, ...).
#pragma once

#include <cmath>

#include "backend/backend.hpp"
#include "backend/cpu/caching_allocator.hpp"

namespace nabla::cpu {

class CpuBackend final : public Backend {
 public:
  Device::Kind kind() const override { return Device::CPU; }
  bool supports(OpId op, DType dtype) const override;

  void* allocate(size_t bytes) override { return allocator_.allocate(bytes); }
  void deallocate(void* data, size_t bytes) override { allocator_.deallocate(data, bytes); }
  MemoryStats memory_stats() const override { return allocator_.stats(); }
  void empty_cache() override { allocator_.empty_cache(); }

  void copy(const View& dst, const View& src) override;
  void fill(const View& dst, double value) override;
  void random(OpId op, const View& dst, uint64_t seed, uint64_t offset, double a,
              double b) override;
  void unary(OpId op, const View& out, const View& in, const UnaryArgs& args) override;
  void binary(OpId op, const View& out, const View& a, const View& b) override;
  void where(const View& out, const View& condition, const View& a, const View& b) override;
  void reduce(OpId op, const View& out, const View& in) override;
  void gemm(const GemmArgs& args) override;
  void softmax(OpId op, const View& out, const View& in, int64_t dim) override;
  void softmax_backward(OpId op, const View& grad_in, const View& grad_out, const View& out,
                        int64_t dim) override;
  void index(OpId op, const View& out, const View& in, int64_t dim, const View& index) override;
  void optimizer_step(OpId op, const OptimizerStepArgs& args) override;  // optimizer_step.cpp
  void conv2d(OpId op, const Conv2dArgs& args) override;  // conv.cpp, im2col.cpp
  void pool2d(OpId op, const Pool2dArgs& args) override;  // pool.cpp
  void norm(OpId op, const NormArgs& args) override;      // norm.cpp

 private:
  CachingAllocator allocator_;
};

// The activation kernels (activation.cpp, instantiated for float and double): runs `op` and
// returns true when it is one of them. unary_typed falls back to it from inside its own dtype
// dispatch, so a unary op is visited once.
template <class T>
bool activation_unary(OpId op, const View& out, const View& in, const UnaryArgs& args);

// σ(x), for sigmoid and the activations built on it (silu, softplus's gradient).
template <class T> T sigmoid_of(T x) { return T(1) / (T(1) + std::exp(-x)); }

}  // namespace nabla::cpu

namespace nabla {
Backend& cpu_backend();
}
