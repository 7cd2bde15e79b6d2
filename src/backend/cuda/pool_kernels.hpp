// The pooling kernels of pool.cu, launched by CudaBackend::pool2d (pool.cpp). Tensors are
// contiguous [planes, H, W] (planes = N·C); the windows are the CPU backend's (torch 1.13's),
// see src/backend/cpu/pool.cpp. The header needs only the CUDA runtime, so pool.cu compiles
// without nabla's C++20 headers.
#pragma once

#include <cuda_runtime.h>

#include <cstdint>

namespace nabla::cuda {

struct PoolGeometry {
  int64_t planes = 0, in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  int64_t kernel_h = 1, kernel_w = 1, stride_h = 1, stride_w = 1;
  int64_t pad_h = 0, pad_w = 0, dilation_h = 1, dilation_w = 1;
  bool count_include_pad = true;
  int64_t divisor_override = 0;  // 0: none
  bool adaptive = false;         // adaptive_avg_pool2d: windows from the shapes alone
};

// One thread per output: the window's maximum (a NaN wins) and its flat h·W + w (-1 for a
// window with no input position, whose output is -inf).
template <class T>
void max_pool_forward(const PoolGeometry& g, const T* in, T* out, int64_t* indices,
                      cudaStream_t stream);
// One thread per input element: the sum of the grad_out entries whose index names it, added
// in output order, so the result equals the CPU's scatter bit for bit with no atomics.
template <class T>
void max_pool_backward(const PoolGeometry& g, const T* grad_out, const int64_t* indices,
                       T* grad_in, cudaStream_t stream);
// avg_pool2d or adaptive_avg_pool2d (g.adaptive): sums in double, divided by the divisor.
template <class T>
void avg_pool_forward(const PoolGeometry& g, const T* in, T* out, cudaStream_t stream);
// One thread per input element: Σ grad_out / divisor over the windows holding it, in output
// order (the CPU's order of accumulation).
template <class T>
void avg_pool_backward(const PoolGeometry& g, const T* grad_out, T* grad_in,
                       cudaStream_t stream);

}  // namespace nabla::cuda
