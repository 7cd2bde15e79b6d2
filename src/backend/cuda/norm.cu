// Normalisation kernels (see norm_kernels.hpp), one block per reduced set:
//   batch norm            a block per channel: Σx, Σ(x − μ)² → μ, σ⁻¹, running stats; then y
//   batch norm backward   a block per channel: Σdy, Σdy·x̂ → dγ, dβ; then dx
//   group norm            a block per row (n, g): μ, σ⁻¹; then y with the channel's γ, β
//   group norm backward   a block per row for dx; a block per channel (over n) for dγ, dβ
// with the formulas of src/backend/cpu/norm.cpp:
//   x̂ = (x − μ)·σ⁻¹, σ⁻¹ = 1/√(var + eps) (biased var), y = γ x̂ + β
//   dx = σ⁻¹ (g − mean(g) − x̂ · mean(g x̂)), g = γ dy   (training; eval batch norm: σ⁻¹ g)
// Threads stride over the set in order and a shared-memory tree adds their partial sums, always
// in the same order. cuDNN's batch norm is not used: it saves no invstd in eval mode and its
// running-variance update and reduction order are not documented to match these semantics.
#include <math_constants.h>

#include "backend/cuda/norm_kernels.hpp"

namespace nabla::cuda {

namespace {

constexpr int kThreads = 256;  // every kernel runs with this block size (block_sum needs it)

int blocks_for(int64_t sets) {
  return static_cast<int>(sets < (1 << 20) ? sets : (1 << 20));  // blocks loop beyond
}

// Adds every thread's (a, b) over the block; every thread gets the totals.
__device__ void block_sum(double& a, double& b) {
  __shared__ double sum_a[kThreads], sum_b[kThreads];
  const int t = threadIdx.x;
  sum_a[t] = a;
  sum_b[t] = b;
  __syncthreads();
  for (int half = kThreads / 2; half > 0; half /= 2) {
    if (t < half) {
      sum_a[t] += sum_a[t + half];
      sum_b[t] += sum_b[t + half];
    }
    __syncthreads();
  }
  a = sum_a[0];
  b = sum_b[0];
  __syncthreads();  // the arrays are reused by the block's next call
}

// Element j of channel ch in an [n, c, s] tensor (j < n·s).
__device__ int64_t channel_element(const NormShape& sh, int64_t ch, int64_t j) {
  return (j / sh.s * sh.c + ch) * sh.s + j % sh.s;
}

template <class T>
__global__ void batch_norm_forward_kernel(NormBuffers<T> b, NormShape sh) {
  const int64_t m = sh.n * sh.s;
  for (int64_t ch = blockIdx.x; ch < sh.c; ch += gridDim.x) {
    double mean, var;
    if (sh.training) {
      double total = 0.0, unused = 0.0;
      for (int64_t j = threadIdx.x; j < m; j += blockDim.x)
        total += b.x[channel_element(sh, ch, j)];
      block_sum(total, unused);
      mean = total / static_cast<double>(m);
      double squares = 0.0;
      for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
        const double d = b.x[channel_element(sh, ch, j)] - mean;
        squares += d * d;
      }
      block_sum(squares, unused);
      var = squares / static_cast<double>(m);
      if (threadIdx.x == 0 && b.running_mean) {
        const double unbiased = m > 1 ? squares / static_cast<double>(m - 1) : CUDART_NAN;
        b.running_mean[ch] =
            static_cast<T>((1.0 - sh.momentum) * b.running_mean[ch] + sh.momentum * mean);
        b.running_var[ch] =
            static_cast<T>((1.0 - sh.momentum) * b.running_var[ch] + sh.momentum * unbiased);
      }
    } else {
      mean = b.running_mean[ch];
      var = b.running_var[ch];
    }
    const double invstd = 1.0 / sqrt(var + sh.eps);
    if (threadIdx.x == 0) {
      b.mean[ch] = static_cast<T>(mean);
      b.invstd[ch] = static_cast<T>(invstd);
    }
    const double scale = (b.weight ? static_cast<double>(b.weight[ch]) : 1.0) * invstd;
    const double shift = (b.bias ? static_cast<double>(b.bias[ch]) : 0.0) - mean * scale;
    for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
      const int64_t e = channel_element(sh, ch, j);
      b.y[e] = static_cast<T>(b.x[e] * scale + shift);
    }
  }
}

template <class T>
__global__ void batch_norm_backward_kernel(NormBuffers<T> b, NormShape sh) {
  const int64_t m = sh.n * sh.s;
  for (int64_t ch = blockIdx.x; ch < sh.c; ch += gridDim.x) {
    const double mean = b.mean[ch], invstd = b.invstd[ch];
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
      const int64_t e = channel_element(sh, ch, j);
      sum_dy += b.grad_y[e];
      sum_dy_xhat += b.grad_y[e] * (b.x[e] - mean) * invstd;
    }
    block_sum(sum_dy, sum_dy_xhat);
    if (threadIdx.x == 0) {
      if (b.grad_weight) b.grad_weight[ch] = static_cast<T>(sum_dy_xhat);
      if (b.grad_bias) b.grad_bias[ch] = static_cast<T>(sum_dy);
    }
    if (!b.grad_x) continue;
    const double scale = (b.weight ? static_cast<double>(b.weight[ch]) : 1.0) * invstd;
    const double mean_dy = sh.training ? sum_dy / static_cast<double>(m) : 0.0;
    const double mean_dy_xhat = sh.training ? sum_dy_xhat / static_cast<double>(m) : 0.0;
    for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
      const int64_t e = channel_element(sh, ch, j);
      const double xhat = (b.x[e] - mean) * invstd;
      b.grad_x[e] = static_cast<T>(scale * (b.grad_y[e] - mean_dy - xhat * mean_dy_xhat));
    }
  }
}

template <class T>
__global__ void group_norm_forward_kernel(NormBuffers<T> b, NormShape sh) {
  const int64_t d = sh.c / sh.groups, k = d * sh.s, rows = sh.n * sh.groups;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* x = b.x + r * k;
    double total = 0.0, unused = 0.0;
    for (int64_t i = threadIdx.x; i < k; i += blockDim.x) total += x[i];
    block_sum(total, unused);
    const double mean = total / static_cast<double>(k);
    double squares = 0.0;
    for (int64_t i = threadIdx.x; i < k; i += blockDim.x) {
      const double dev = x[i] - mean;
      squares += dev * dev;
    }
    block_sum(squares, unused);
    const double invstd = 1.0 / sqrt(squares / static_cast<double>(k) + sh.eps);
    if (threadIdx.x == 0) {
      b.mean[r] = static_cast<T>(mean);
      b.invstd[r] = static_cast<T>(invstd);
    }
    const int64_t channel0 = (r % sh.groups) * d;
    for (int64_t i = threadIdx.x; i < k; i += blockDim.x) {
      const int64_t channel = channel0 + i / sh.s;
      const double scale = (b.weight ? static_cast<double>(b.weight[channel]) : 1.0) * invstd;
      const double shift = (b.bias ? static_cast<double>(b.bias[channel]) : 0.0) - mean * scale;
      b.y[r * k + i] = static_cast<T>(x[i] * scale + shift);
    }
  }
}

template <class T>
__global__ void group_norm_grad_x_kernel(NormBuffers<T> b, NormShape sh) {
  const int64_t d = sh.c / sh.groups, k = d * sh.s, rows = sh.n * sh.groups;
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const double mean = b.mean[r], invstd = b.invstd[r];
    const int64_t channel0 = (r % sh.groups) * d, off = r * k;
    double sum_g = 0.0, sum_g_xhat = 0.0;
    for (int64_t i = threadIdx.x; i < k; i += blockDim.x) {
      const double gamma = b.weight ? static_cast<double>(b.weight[channel0 + i / sh.s]) : 1.0;
      const double g = b.grad_y[off + i] * gamma;
      sum_g += g;
      sum_g_xhat += g * (b.x[off + i] - mean) * invstd;
    }
    block_sum(sum_g, sum_g_xhat);
    const double mean_g = sum_g / static_cast<double>(k);
    const double mean_g_xhat = sum_g_xhat / static_cast<double>(k);
    for (int64_t i = threadIdx.x; i < k; i += blockDim.x) {
      const double gamma = b.weight ? static_cast<double>(b.weight[channel0 + i / sh.s]) : 1.0;
      const double xhat = (b.x[off + i] - mean) * invstd;
      b.grad_x[off + i] =
          static_cast<T>(invstd * (b.grad_y[off + i] * gamma - mean_g - xhat * mean_g_xhat));
    }
  }
}

// dγ, dβ of channel c = g·D + dd: its runs of S elements in every image, each normalised with
// its own row's (n, g) statistics.
template <class T>
__global__ void group_norm_grad_affine_kernel(NormBuffers<T> b, NormShape sh) {
  const int64_t d = sh.c / sh.groups, k = d * sh.s, m = sh.n * sh.s;
  for (int64_t c = blockIdx.x; c < sh.c; c += gridDim.x) {
    double sum_dy = 0.0, sum_dy_xhat = 0.0;
    for (int64_t j = threadIdx.x; j < m; j += blockDim.x) {
      const int64_t r = j / sh.s * sh.groups + c / d;
      const int64_t e = r * k + (c % d) * sh.s + j % sh.s;
      sum_dy += b.grad_y[e];
      sum_dy_xhat += b.grad_y[e] * (b.x[e] - static_cast<double>(b.mean[r])) *
                     static_cast<double>(b.invstd[r]);
    }
    block_sum(sum_dy, sum_dy_xhat);
    if (threadIdx.x == 0) {
      if (b.grad_weight) b.grad_weight[c] = static_cast<T>(sum_dy_xhat);
      if (b.grad_bias) b.grad_bias[c] = static_cast<T>(sum_dy);
    }
  }
}

}  // namespace

template <class T>
void batch_norm_forward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream) {
  if (shape.c > 0)
    batch_norm_forward_kernel<T><<<blocks_for(shape.c), kThreads, 0, stream>>>(b, shape);
}

template <class T>
void batch_norm_backward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream) {
  if (shape.c > 0)
    batch_norm_backward_kernel<T><<<blocks_for(shape.c), kThreads, 0, stream>>>(b, shape);
}

template <class T>
void group_norm_forward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream) {
  const int64_t rows = shape.n * shape.groups;
  if (rows > 0) group_norm_forward_kernel<T><<<blocks_for(rows), kThreads, 0, stream>>>(b, shape);
}

template <class T>
void group_norm_backward(const NormBuffers<T>& b, const NormShape& shape, cudaStream_t stream) {
  const int64_t rows = shape.n * shape.groups;
  if (b.grad_x && rows > 0)
    group_norm_grad_x_kernel<T><<<blocks_for(rows), kThreads, 0, stream>>>(b, shape);
  if ((b.grad_weight || b.grad_bias) && shape.c > 0)
    group_norm_grad_affine_kernel<T><<<blocks_for(shape.c), kThreads, 0, stream>>>(b, shape);
}

#define NABLA_NORM_INSTANTIATE(T)                                                           \
  template void batch_norm_forward<T>(const NormBuffers<T>&, const NormShape&, cudaStream_t); \
  template void batch_norm_backward<T>(const NormBuffers<T>&, const NormShape&, cudaStream_t); \
  template void group_norm_forward<T>(const NormBuffers<T>&, const NormShape&, cudaStream_t); \
  template void group_norm_backward<T>(const NormBuffers<T>&, const NormShape&, cudaStream_t);
NABLA_NORM_INSTANTIATE(float)
NABLA_NORM_INSTANTIATE(double)
#undef NABLA_NORM_INSTANTIATE

}  // namespace nabla::cuda
