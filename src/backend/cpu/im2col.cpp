// im2col / col2im loops. Each column row (c, i, j) is a strided copy of the input plane; the
// output columns whose input position is in range form one interval per row, so the inner
// loop has no bounds test and is a plain copy when the stride is 1.
#include "backend/cpu/im2col.hpp"

#include <algorithm>

namespace nabla::cpu {

namespace {
// [first, last) output positions o with 0 <= o·stride − pad + offset < size.
struct Interval {
  int64_t first, last;
};
Interval valid_outputs(int64_t size, int64_t out, int64_t stride, int64_t pad, int64_t offset) {
  const int64_t shift = pad - offset;  // o·stride >= shift and o·stride < size + shift
  int64_t first = shift <= 0 ? 0 : (shift + stride - 1) / stride;
  int64_t last = size + shift <= 0 ? 0 : (size + shift - 1) / stride + 1;
  first = std::min(first, out);
  last = std::clamp(last, first, out);
  return {first, last};
}

// Calls row(col_row, plane, iw0, rows h, cols w) for each (c, i, j); shared by both directions.
template <class Fn> void for_each_col_row(const ConvGeometry& g, Fn&& fn) {
  for (int64_t c = 0; c < g.channels; ++c)
    for (int64_t i = 0; i < g.kernel_h; ++i)
      for (int64_t j = 0; j < g.kernel_w; ++j) {
        const int64_t row = (c * g.kernel_h + i) * g.kernel_w + j;
        const int64_t di = i * g.dilation[0], dj = j * g.dilation[1];
        const Interval hs = valid_outputs(g.height, g.out_h, g.stride[0], g.padding[0], di);
        const Interval ws = valid_outputs(g.width, g.out_w, g.stride[1], g.padding[1], dj);
        fn(row, c, di - g.padding[0], dj - g.padding[1], hs, ws);
      }
}
}  // namespace

template <class T> void im2col(const ConvGeometry& g, const T* x, T* col) {
  const int64_t ow_n = g.out_w, sh = g.stride[0], sw = g.stride[1];
  for_each_col_row(g, [&](int64_t row, int64_t c, int64_t h0, int64_t w0, Interval hs,
                          Interval ws) {
    T* dst = col + row * g.col_cols();
    const T* plane = x + c * g.height * g.width;
    std::fill(dst, dst + hs.first * ow_n, T(0));
    for (int64_t oh = hs.first; oh < hs.last; ++oh) {
      T* d = dst + oh * ow_n;
      std::fill(d, d + ws.first, T(0));
      if (ws.first < ws.last) {
        // Index from the first valid column: with w0 < 0 the row's own start lies before the
        // plane, and even forming that pointer is undefined.
        const T* src = plane + (oh * sh + h0) * g.width + (ws.first * sw + w0);
        if (sw == 1) {
          std::copy(src, src + (ws.last - ws.first), d + ws.first);
        } else {
          for (int64_t ow = ws.first; ow < ws.last; ++ow) d[ow] = src[(ow - ws.first) * sw];
        }
      }
      std::fill(d + ws.last, d + ow_n, T(0));
    }
    std::fill(dst + hs.last * ow_n, dst + g.col_cols(), T(0));
  });
}

template <class T> void col2im(const ConvGeometry& g, const T* col, T* x) {
  const int64_t ow_n = g.out_w, sh = g.stride[0], sw = g.stride[1];
  for_each_col_row(g, [&](int64_t row, int64_t c, int64_t h0, int64_t w0, Interval hs,
                          Interval ws) {
    const T* src_row = col + row * g.col_cols();
    T* plane = x + c * g.height * g.width;
    if (ws.first == ws.last) return;
    for (int64_t oh = hs.first; oh < hs.last; ++oh) {
      const T* s = src_row + oh * ow_n;
      // As in im2col: start at the first valid column so no pointer before the plane is formed.
      T* d = plane + (oh * sh + h0) * g.width + (ws.first * sw + w0);
      for (int64_t ow = ws.first; ow < ws.last; ++ow) d[(ow - ws.first) * sw] += s[ow];
    }
  });
}

template void im2col<float>(const ConvGeometry&, const float*, float*);
template void im2col<double>(const ConvGeometry&, const double*, double*);
template void col2im<float>(const ConvGeometry&, const float*, float*);
template void col2im<double>(const ConvGeometry&, const double*, double*);

}  // namespace nabla::cpu
