// softmax / log_softmax along one dim, and their backward, over contiguous tensors. A tensor
// is seen as [outer, n, inner]; each of the outer*inner lines of n elements is independent.
//   softmax:      y = exp(x - max) / sum(exp(x - max))
//   log_softmax:  y = x - max - log(sum(exp(x - max)))
//   backward:     softmax     dx = y * (dy - sum(dy * y))
//                 log_softmax dx = dy - exp(y) * sum(dy)
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {
struct Lines {
  int64_t outer = 1, n = 1, inner = 1;
  Lines(const Shape& shape, int64_t dim) {
    for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d)
      (d < dim ? outer : d == dim ? n : inner) *= shape[d];
  }
  // Calls fn(first element offset, stride) for every line, lines split across threads.
  template <class F> void run(F&& fn) const {
    parallel_for(outer * inner, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n, 1)),
                 [&](int64_t begin, int64_t end) {
                   for (int64_t line = begin; line < end; ++line)
                     fn((line / inner) * n * inner + line % inner, inner);
                 });
  }
};

template <class T>
void softmax_typed(bool log, const View& out, const View& in, int64_t dim) {
  const T* x = in.ptr<T>();
  T* y = out.ptr<T>();
  const Lines lines(in.shape, dim);
  lines.run([&](int64_t first, int64_t stride) {
    const int64_t n = lines.n;
    T max = -INFINITY;
    for (int64_t j = 0; j < n; ++j) max = std::max(max, x[first + j * stride]);
    if (std::isinf(max)) max = 0;  // all -inf (or an inf): keep exp finite where possible
    double total = 0.0;
    for (int64_t j = 0; j < n; ++j) total += std::exp(static_cast<double>(x[first + j * stride] - max));
    if (log) {
      const T shift = max + static_cast<T>(std::log(total));
      for (int64_t j = 0; j < n; ++j) y[first + j * stride] = x[first + j * stride] - shift;
    } else {
      const double scale = 1.0 / total;
      for (int64_t j = 0; j < n; ++j)
        y[first + j * stride] = static_cast<T>(std::exp(static_cast<double>(x[first + j * stride] - max)) * scale);
    }
  });
}

template <class T>
void softmax_backward_typed(bool log, const View& grad_in, const View& grad_out, const View& out,
                            int64_t dim) {
  const T* dy = grad_out.ptr<T>();
  const T* y = out.ptr<T>();
  T* dx = grad_in.ptr<T>();
  const Lines lines(out.shape, dim);
  lines.run([&](int64_t first, int64_t stride) {
    double total = 0.0;
    for (int64_t j = 0, i = first; j < lines.n; ++j, i += stride)
      total += log ? static_cast<double>(dy[i]) : static_cast<double>(dy[i]) * y[i];
    const T s = static_cast<T>(total);
    for (int64_t j = 0, i = first; j < lines.n; ++j, i += stride)
      dx[i] = log ? dy[i] - std::exp(y[i]) * s : y[i] * (dy[i] - s);
  });
}
}  // namespace

void CpuBackend::softmax(OpId op, const View& out, const View& in, int64_t dim) {
  visit_floating(in.dtype, op_name(op), [&](auto tag) {
    softmax_typed<typename decltype(tag)::type>(op == OpId::log_softmax, out, in, dim);
  });
}

void CpuBackend::softmax_backward(OpId op, const View& grad_in, const View& grad_out,
                                  const View& out, int64_t dim) {
  visit_floating(out.dtype, op_name(op), [&](auto tag) {
    softmax_backward_typed<typename decltype(tag)::type>(op == OpId::log_softmax_backward,
                                                         grad_in, grad_out, out, dim);
  });
}

}  // namespace nabla::cpu
