// The normalisation kernels of norm.cu, launched by CudaBackend::norm (norm.cpp). Semantics are
// the CPU backend's (src/backend/cpu/norm.cpp, NormArgs in backend.hpp): batch norm over
// [N, C, S] with per-channel statistics, group norm over rows of D·S contiguous elements (one
// row per (n, g)) with a per-channel affine. Statistics accumulate in double; each block
// reduces its channel or row in a fixed order, so a run repeats bitwise (the order differs from
// the CPU's, so CPU and CUDA agree to rounding, not bitwise).
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace nabla::cuda {

// Raw pointers of one NormArgs; nullptr for an absent operand (no weight, no running stats, a
// gradient nobody asked for). mean and invstd are written by forward, read by backward.
template <class T>
struct NormBuffers {
  const T* x = nullptr;
  T* y = nullptr;
  const T* weight = nullptr;
  const T* bias = nullptr;
  T* mean = nullptr;
  T* invstd = nullptr;
  T* running_mean = nullptr;
  T* running_var = nullptr;
  const T* grad_y = nullptr;
  T* grad_x = nullptr;
  T* grad_weight = nullptr;
  T* grad_bias = nullptr;
};

// batch norm: x [n, c, s]; group norm: x [n, groups, c / groups, s].
struct NormShape {
  int64_t n = 0, c = 0, s = 1, groups = 1;
  bool training = true;
  double momentum = 0.1, eps = 1e-5;
};

template <class T>
void batch_norm_forward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream);
template <class T>
void batch_norm_backward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream);
template <class T>
void group_norm_forward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream);
template <class T>
void group_norm_backward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream);

}  // namespace nabla::cuda
