// 2-D pooling over contiguous [N, C, H, W] planes, one plane per loop step (planes split across
// threads). Windows follow torch 1.13 exactly:
//   max:      positions h = oh·sH − pH + i·dH (i < kH) inside the input; a NaN wins; the
//             first maximum's flat index h·W + w is saved for the backward.
//   avg:      [oh·sH − pH, min(that + kH, H + pH)) clipped to the input; the divisor is the
//             unclipped window (count_include_pad), the clipped one, or divisor_override.
//   adaptive: [⌊o·H/OH⌋, ⌈(o+1)·H/OH⌉).
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {

struct Planes {
  int64_t count, in_h, in_w, out_h, out_w;
  explicit Planes(const Pool2dArgs& a)
      : count(a.out.shape[0] * a.out.shape[1]), in_h(a.in.shape[2]), in_w(a.in.shape[3]),
        out_h(a.out.shape[2]), out_w(a.out.shape[3]) {}
  int64_t in_size() const { return in_h * in_w; }
  int64_t out_size() const { return out_h * out_w; }
  // fn(plane) for every plane, split across threads.
  template <class Fn> void run(Fn&& fn) const {
    const int64_t work = std::max<int64_t>(1, in_size() + out_size());
    parallel_for(count, std::max<int64_t>(1, kParallelGrain / work), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) fn(p);
    });
  }
};

// An averaging window: the clipped range and the divisor of its sum.
struct Window {
  int64_t h0, h1, w0, w1;
  double divisor;
};

Window avg_window(const Pool2dArgs& a, const Planes& p, int64_t oh, int64_t ow) {
  int64_t h0 = oh * a.stride[0] - a.padding[0], w0 = ow * a.stride[1] - a.padding[1];
  int64_t h1 = std::min(h0 + a.kernel[0], p.in_h + a.padding[0]);
  int64_t w1 = std::min(w0 + a.kernel[1], p.in_w + a.padding[1]);
  const int64_t padded_size = (h1 - h0) * (w1 - w0);
  h0 = std::max<int64_t>(h0, 0);
  w0 = std::max<int64_t>(w0, 0);
  h1 = std::min(h1, p.in_h);
  w1 = std::min(w1, p.in_w);
  const double divisor = a.divisor_override ? static_cast<double>(a.divisor_override)
                         : a.count_include_pad ? static_cast<double>(padded_size)
                                               : static_cast<double>((h1 - h0) * (w1 - w0));
  return {h0, h1, w0, w1, divisor};
}

Window adaptive_window(const Planes& p, int64_t oh, int64_t ow) {
  const int64_t h0 = oh * p.in_h / p.out_h, h1 = ((oh + 1) * p.in_h + p.out_h - 1) / p.out_h;
  const int64_t w0 = ow * p.in_w / p.out_w, w1 = ((ow + 1) * p.in_w + p.out_w - 1) / p.out_w;
  return {h0, h1, w0, w1, static_cast<double>((h1 - h0) * (w1 - w0))};
}

Window window_of(OpId op, const Pool2dArgs& a, const Planes& p, int64_t oh, int64_t ow) {
  return op == OpId::avg_pool2d || op == OpId::avg_pool2d_backward ? avg_window(a, p, oh, ow)
                                                                   : adaptive_window(p, oh, ow);
}

// Max pooling with kernel 2, stride 2, no padding and whole windows (the pooling of nearly every
// CNN here), for a plane without NaN (checked first; a NaN plane takes the general loop). The
// window's winner is found as a tournament, (c0 vs c1) against (c2 vs c3), with each result an
// integer from a comparison: no branches, which mispredict half the time because which element
// wins is data. A later element wins only when strictly greater, so ties resolve as in the
// general loop: the first maximum in row order.
template <class T> bool has_nan(const T* x, int64_t count) {
  int nan = 0;
  for (int64_t i = 0; i < count; ++i) nan |= static_cast<int>(x[i] != x[i]);
  return nan != 0;
}

template <class T>
void max_forward_2x2(const T* x, const Planes& p, T* out, int64_t* indices) {
  const int64_t in_w = p.in_w, out_w = p.out_w;
  for (int64_t oh = 0; oh < p.out_h; ++oh) {
    const T* row0 = x + 2 * oh * in_w;
    const T* row1 = row0 + in_w;
    for (int64_t ow = 0; ow < out_w; ++ow) {
      const T c0 = row0[2 * ow], c1 = row0[2 * ow + 1], c2 = row1[2 * ow], c3 = row1[2 * ow + 1];
      const int64_t top_right = c1 > c0, bottom_right = c3 > c2;  // 1 when the right one wins
      const T top = top_right ? c1 : c0, bottom = bottom_right ? c3 : c2;
      const int64_t bottom_wins = bottom > top;
      out[oh * out_w + ow] = bottom_wins ? bottom : top;
      const int64_t column = bottom_wins * bottom_right + (1 - bottom_wins) * top_right;
      indices[oh * out_w + ow] = (2 * oh + bottom_wins) * in_w + 2 * ow + column;
    }
  }
}

template <class T> void max_forward(const Pool2dArgs& a) {
  const Planes p(a);
  const T* in = a.in.ptr<T>();
  T* out = a.out.ptr<T>();
  int64_t* indices = a.indices.ptr<int64_t>();
  const bool whole_2x2 = a.kernel[0] == 2 && a.kernel[1] == 2 && a.stride[0] == 2 &&
                         a.stride[1] == 2 && a.padding[0] == 0 && a.padding[1] == 0 &&
                         a.dilation[0] == 1 && a.dilation[1] == 1 && 2 * p.out_h <= p.in_h &&
                         2 * p.out_w <= p.in_w;
  p.run([&](int64_t plane) {
    const T* x = in + plane * p.in_size();
    if (whole_2x2 && !has_nan(x, p.in_size()))
      return max_forward_2x2(x, p, out + plane * p.out_size(), indices + plane * p.out_size());
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        T best = -INFINITY;
        int64_t best_index = -1;
        for (int64_t i = 0; i < a.kernel[0]; ++i) {
          const int64_t h = oh * a.stride[0] - a.padding[0] + i * a.dilation[0];
          if (h < 0 || h >= p.in_h) continue;
          for (int64_t j = 0; j < a.kernel[1]; ++j) {
            const int64_t w = ow * a.stride[1] - a.padding[1] + j * a.dilation[1];
            if (w < 0 || w >= p.in_w) continue;
            const T v = x[h * p.in_w + w];
            if (best_index < 0 || v > best || std::isnan(v)) {  // as torch: the last NaN wins
              best = v;
              best_index = h * p.in_w + w;
            }
          }
        }
        const int64_t o = plane * p.out_size() + oh * p.out_w + ow;
        out[o] = best;
        indices[o] = best_index;
      }
  });
}

template <class T> void max_backward(const Pool2dArgs& a) {
  const Planes p(a);
  T* grad_in = a.in.ptr<T>();
  const T* grad_out = a.out.ptr<T>();
  const int64_t* indices = a.indices.ptr<int64_t>();
  p.run([&](int64_t plane) {
    T* dx = grad_in + plane * p.in_size();
    std::fill(dx, dx + p.in_size(), T(0));
    for (int64_t o = plane * p.out_size(), end = o + p.out_size(); o < end; ++o)
      if (indices[o] >= 0) dx[indices[o]] += grad_out[o];
  });
}

template <class T> void avg_forward(OpId op, const Pool2dArgs& a) {
  const Planes p(a);
  const T* in = a.in.ptr<T>();
  T* out = a.out.ptr<T>();
  p.run([&](int64_t plane) {
    const T* x = in + plane * p.in_size();
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window win = window_of(op, a, p, oh, ow);
        double total = 0.0;
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) total += x[h * p.in_w + w];
        out[plane * p.out_size() + oh * p.out_w + ow] = static_cast<T>(total / win.divisor);
      }
  });
}

template <class T> void avg_backward(OpId op, const Pool2dArgs& a) {
  const Planes p(a);
  T* grad_in = a.in.ptr<T>();
  const T* grad_out = a.out.ptr<T>();
  p.run([&](int64_t plane) {
    T* dx = grad_in + plane * p.in_size();
    std::fill(dx, dx + p.in_size(), T(0));
    for (int64_t oh = 0; oh < p.out_h; ++oh)
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        const Window win = window_of(op, a, p, oh, ow);
        const T share =
            static_cast<T>(grad_out[plane * p.out_size() + oh * p.out_w + ow] / win.divisor);
        for (int64_t h = win.h0; h < win.h1; ++h)
          for (int64_t w = win.w0; w < win.w1; ++w) dx[h * p.in_w + w] += share;
      }
  });
}

}  // namespace

void CpuBackend::pool2d(OpId op, const Pool2dArgs& args) {
  visit_floating(args.in.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (op) {
      case OpId::max_pool2d: max_forward<T>(args); return;
      case OpId::max_pool2d_backward: max_backward<T>(args); return;
      case OpId::avg_pool2d:
      case OpId::adaptive_avg_pool2d: avg_forward<T>(op, args); return;
      case OpId::avg_pool2d_backward:
      case OpId::adaptive_avg_pool2d_backward: avg_backward<T>(op, args); return;
      default: NABLA_FAIL("cpu pool2d: op '", op_name(op), "' is not a pooling op");
    }
  });
}

}  // namespace nabla::cpu
