// softmax / log_softmax along one dim, and their backward, over contiguous tensors seen as
// [outer, n, inner]: one thread block per line of n elements (stride inner), the CPU's formulas
// (softmax.cpp): the max in the tensor's type, sums of exponentials in double.
//   softmax:      y = exp(x - max) / sum(exp(x - max))
//   log_softmax:  y = x - max - log(sum(exp(x - max)))
//   backward:     softmax     dx = y * (dy - sum(dy * y))
//                 log_softmax dx = dy - exp(y) * sum(dy)
#include "backend/cuda/device_math.cuh"
#include "backend/cuda/launch.cuh"

namespace nabla::cuda {

namespace {

struct Lines {
  int64_t outer = 1, n = 1, inner = 1;
  Lines(const Shape& shape, int64_t dim) {
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
      (d < dim ? outer : d == dim ? n : inner) *= shape[d];
  }
  int64_t count() const { return outer * inner; }
};

__device__ inline int64_t line_start(int64_t line, int64_t n, int64_t inner) {
  return (line / inner) * n * inner + line % inner;
}

template <class T>
__global__ void softmax_kernel(bool log, T* y, const T* x, int64_t lines, int64_t n,
                               int64_t inner) {
  __shared__ double scratch[kThreads];
  for (int64_t line = blockIdx.x; line < lines; line += gridDim.x) {
    const int64_t first = line_start(line, n, inner);
    T local_max = -INFINITY;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const T v = x[first + j * inner];
      local_max = local_max < v ? v : local_max;
    }
    T max = static_cast<T>(block_combine(local_max, scratch, MaxOp{}));
    if (isinf(max)) max = 0;  // all -inf (or an inf): keep exp finite where possible
    double partial = 0.0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
      partial += ::exp(static_cast<double>(x[first + j * inner] - max));
    const double total = block_combine(partial, scratch, SumOp{});
    if (log) {
      const T shift = max + static_cast<T>(::log(total));
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
        y[first + j * inner] = x[first + j * inner] - shift;
    } else {
      const double scale = 1.0 / total;
      for (int64_t j = threadIdx.x; j < n; j += blockDim.x)
        y[first + j * inner] =
            static_cast<T>(::exp(static_cast<double>(x[first + j * inner] - max)) * scale);
    }
  }
}

template <class T>
__global__ void softmax_backward_kernel(bool log, T* dx, const T* dy, const T* y, int64_t lines,
                                        int64_t n, int64_t inner) {
  __shared__ double scratch[kThreads];
  for (int64_t line = blockIdx.x; line < lines; line += gridDim.x) {
    const int64_t first = line_start(line, n, inner);
    double partial = 0.0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const int64_t i = first + j * inner;
      partial += log ? static_cast<double>(dy[i]) : static_cast<double>(dy[i]) * y[i];
    }
    const T s = static_cast<T>(block_combine(partial, scratch, SumOp{}));
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) {
      const int64_t i = first + j * inner;
      dx[i] = log ? dy[i] - math::exp(y[i]) * s : y[i] * (dy[i] - s);
    }
  }
}

unsigned int line_blocks(int64_t lines) {
  return static_cast<unsigned int>(std::min<int64_t>(lines, kMaxBlocks));
}

}  // namespace

void CudaBackend::softmax(OpId op, const View& out, const View& in, int64_t dim) {
  const Lines lines(in.shape, dim);
  if (lines.count() == 0 || lines.n == 0) return;
  visit_floating(in.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    softmax_kernel<T><<<line_blocks(lines.count()), block_threads_for(lines.n), 0, stream_>>>(
        op == OpId::log_softmax, out.ptr<T>(), in.ptr<T>(), lines.count(), lines.n, lines.inner);
    NABLA_CUDA_CHECK_LAUNCH();
  });
}

void CudaBackend::softmax_backward(OpId op, const View& grad_in, const View& grad_out,
                                   const View& out, int64_t dim) {
  const Lines lines(out.shape, dim);
  if (lines.count() == 0 || lines.n == 0) return;
  visit_floating(out.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    softmax_backward_kernel<T>
        <<<line_blocks(lines.count()), block_threads_for(lines.n), 0, stream_>>>(
            op == OpId::log_softmax_backward, grad_in.ptr<T>(), grad_out.ptr<T>(), out.ptr<T>(),
            lines.count(), lines.n, lines.inner);
    NABLA_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace nabla::cuda
