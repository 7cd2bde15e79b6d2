// Pooling kernels (see pool_kernels.hpp). cuDNN's pooling gives no argmax indices and pads
// differently for ceil-mode windows, so every pooling here is nabla's own, written to repeat
// the CPU backend's arithmetic in the same order: forward one thread per output; backward one
// thread per input element gathering from the outputs whose window holds it (no atomics, so a
// run repeats bitwise and equals the CPU's scatter).
#include <math_constants.h>

#include "backend/cuda/pool_kernels.hpp"

namespace nabla::cuda {

namespace {

constexpr int kThreads = 256;

int blocks_for(int64_t count) {
  const int64_t blocks = (count + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < (1 << 20) ? blocks : (1 << 20));  // grid-stride beyond
}

__device__ int64_t first_index() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}
__device__ int64_t index_step() { return static_cast<int64_t>(blockDim.x) * gridDim.x; }

// An averaging window: the clipped range and the divisor of its sum.
struct Window {
  int64_t h0, h1, w0, w1;
  double divisor;
};

__device__ Window avg_window(const PoolGeometry& g, int64_t oh, int64_t ow) {
  int64_t h0 = oh * g.stride_h - g.pad_h, w0 = ow * g.stride_w - g.pad_w;
  int64_t h1 = min(h0 + g.kernel_h, g.in_h + g.pad_h);
  int64_t w1 = min(w0 + g.kernel_w, g.in_w + g.pad_w);
  const int64_t padded_size = (h1 - h0) * (w1 - w0);
  h0 = max(h0, int64_t{0});
  w0 = max(w0, int64_t{0});
  h1 = min(h1, g.in_h);
  w1 = min(w1, g.in_w);
  const double divisor = g.divisor_override    ? static_cast<double>(g.divisor_override)
                         : g.count_include_pad ? static_cast<double>(padded_size)
                                               : static_cast<double>((h1 - h0) * (w1 - w0));
  return {h0, h1, w0, w1, divisor};
}

__device__ Window adaptive_window(const PoolGeometry& g, int64_t oh, int64_t ow) {
  const int64_t h0 = oh * g.in_h / g.out_h, h1 = ((oh + 1) * g.in_h + g.out_h - 1) / g.out_h;
  const int64_t w0 = ow * g.in_w / g.out_w, w1 = ((ow + 1) * g.in_w + g.out_w - 1) / g.out_w;
  return {h0, h1, w0, w1, static_cast<double>((h1 - h0) * (w1 - w0))};
}

__device__ Window window_of(const PoolGeometry& g, int64_t oh, int64_t ow) {
  return g.adaptive ? adaptive_window(g, oh, ow) : avg_window(g, oh, ow);
}

// The outputs along one axis whose window may hold input position `pos`: a range that is never
// too narrow (callers test the window itself).
struct Range {
  int64_t first, last;  // inclusive
};

__device__ Range candidates(const PoolGeometry& g, bool rows, int64_t pos) {
  const int64_t in = rows ? g.in_h : g.in_w, out = rows ? g.out_h : g.out_w;
  int64_t first, last;
  if (g.adaptive) {
    first = pos * out / in - 1;
    last = ((pos + 1) * out + in - 1) / in;
  } else {
    const int64_t kernel = rows ? g.kernel_h : g.kernel_w, stride = rows ? g.stride_h : g.stride_w;
    const int64_t pad = rows ? g.pad_h : g.pad_w;
    first = (pos + pad - kernel) / stride;  // truncation: at most one below the true first
    last = (pos + pad) / stride;
  }
  return {max(first, int64_t{0}), min(last, out - 1)};
}

template <class T>
__global__ void max_forward_kernel(PoolGeometry g, const T* in, T* out, int64_t* indices) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  for (int64_t o = first_index(); o < total; o += index_step()) {
    const int64_t ow = o % g.out_w, oh = o / g.out_w % g.out_h, plane = o / (g.out_w * g.out_h);
    const T* x = in + plane * g.in_h * g.in_w;
    T best = static_cast<T>(-CUDART_INF_F);
    int64_t best_index = -1;
    for (int64_t i = 0; i < g.kernel_h; ++i) {
      const int64_t h = oh * g.stride_h - g.pad_h + i * g.dilation_h;
      if (h < 0 || h >= g.in_h) continue;
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        const int64_t w = ow * g.stride_w - g.pad_w + j * g.dilation_w;
        if (w < 0 || w >= g.in_w) continue;
        const T v = x[h * g.in_w + w];
        if (best_index < 0 || v > best || isnan(v)) {  // as torch: the last NaN wins
          best = v;
          best_index = h * g.in_w + w;
        }
      }
    }
    out[o] = best;
    indices[o] = best_index;
  }
}

// Window row i holds input row h for output row (h + pad − i·dilation) / stride when that
// divides; walking i downwards visits the output rows in increasing order.
template <class T>
__global__ void max_backward_kernel(PoolGeometry g, const T* grad_out, const int64_t* indices,
                                    T* grad_in) {
  const int64_t total = g.planes * g.in_h * g.in_w;
  for (int64_t e = first_index(); e < total; e += index_step()) {
    const int64_t w = e % g.in_w, h = e / g.in_w % g.in_h, plane = e / (g.in_w * g.in_h);
    const int64_t target = h * g.in_w + w, base = plane * g.out_h * g.out_w;
    T total_grad = T(0);
    for (int64_t i = g.kernel_h - 1; i >= 0; --i) {
      const int64_t top = h + g.pad_h - i * g.dilation_h;
      if (top < 0 || top % g.stride_h != 0 || top / g.stride_h >= g.out_h) continue;
      const int64_t oh = top / g.stride_h;
      for (int64_t j = g.kernel_w - 1; j >= 0; --j) {
        const int64_t left = w + g.pad_w - j * g.dilation_w;
        if (left < 0 || left % g.stride_w != 0 || left / g.stride_w >= g.out_w) continue;
        const int64_t o = base + oh * g.out_w + left / g.stride_w;
        if (indices[o] == target) total_grad += grad_out[o];
      }
    }
    grad_in[e] = total_grad;
  }
}

template <class T>
__global__ void avg_forward_kernel(PoolGeometry g, const T* in, T* out) {
  const int64_t total = g.planes * g.out_h * g.out_w;
  for (int64_t o = first_index(); o < total; o += index_step()) {
    const int64_t ow = o % g.out_w, oh = o / g.out_w % g.out_h, plane = o / (g.out_w * g.out_h);
    const T* x = in + plane * g.in_h * g.in_w;
    const Window win = window_of(g, oh, ow);
    double sum = 0.0;
    for (int64_t h = win.h0; h < win.h1; ++h)
      for (int64_t w = win.w0; w < win.w1; ++w) sum += x[h * g.in_w + w];
    out[o] = static_cast<T>(sum / win.divisor);
  }
}

template <class T>
__global__ void avg_backward_kernel(PoolGeometry g, const T* grad_out, T* grad_in) {
  const int64_t total = g.planes * g.in_h * g.in_w;
  for (int64_t e = first_index(); e < total; e += index_step()) {
    const int64_t w = e % g.in_w, h = e / g.in_w % g.in_h, plane = e / (g.in_w * g.in_h);
    const T* dy = grad_out + plane * g.out_h * g.out_w;
    const Range rows = candidates(g, true, h), cols = candidates(g, false, w);
    T total_grad = T(0);
    for (int64_t oh = rows.first; oh <= rows.last; ++oh)
      for (int64_t ow = cols.first; ow <= cols.last; ++ow) {
        const Window win = window_of(g, oh, ow);
        if (h < win.h0 || h >= win.h1 || w < win.w0 || w >= win.w1) continue;
        total_grad += static_cast<T>(dy[oh * g.out_w + ow] / win.divisor);
      }
    grad_in[e] = total_grad;
  }
}

}  // namespace

template <class T>
void max_pool_forward(const PoolGeometry& g, const T* in, T* out, int64_t* indices,
                      cudaStream_t stream) {
  const int64_t count = g.planes * g.out_h * g.out_w;
  if (count > 0)
    max_forward_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(g, in, out, indices);
}

template <class T>
void max_pool_backward(const PoolGeometry& g, const T* grad_out, const int64_t* indices,
                       T* grad_in, cudaStream_t stream) {
  const int64_t count = g.planes * g.in_h * g.in_w;
  if (count > 0)
    max_backward_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(g, grad_out, indices,
                                                                       grad_in);
}

template <class T>
void avg_pool_forward(const PoolGeometry& g, const T* in, T* out, cudaStream_t stream) {
  const int64_t count = g.planes * g.out_h * g.out_w;
  if (count > 0) avg_forward_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(g, in, out);
}

template <class T>
void avg_pool_backward(const PoolGeometry& g, const T* grad_out, T* grad_in,
                       cudaStream_t stream) {
  const int64_t count = g.planes * g.in_h * g.in_w;
  if (count > 0)
    avg_backward_kernel<T><<<blocks_for(count), kThreads, 0, stream>>>(g, grad_out, grad_in);
}

#define NABLA_POOL_INSTANTIATE(T)                                                             \
  template void max_pool_forward<T>(const PoolGeometry&, const T*, T*, int64_t*, cudaStream_t); \
  template void max_pool_backward<T>(const PoolGeometry&, const T*, const int64_t*, T*,       \
                                     cudaStream_t);                                           \
  template void avg_pool_forward<T>(const PoolGeometry&, const T*, T*, cudaStream_t);         \
  template void avg_pool_backward<T>(const PoolGeometry&, const T*, T*, cudaStream_t);
NABLA_POOL_INSTANTIATE(float)
NABLA_POOL_INSTANTIATE(double)
#undef NABLA_POOL_INSTANTIATE

}  // namespace nabla::cuda
