// copy (with dtype conversion and broadcasting), fill, where, and the random fills.
#include <cmath>
#include <cstring>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"
#include "core/philox.hpp"

namespace nabla::cpu {

void CpuBackend::copy(const View& dst, const View& src) {
  const bool same_layout = dst.dtype == src.dtype && dst.shape == src.shape &&
                           dst.strides == src.strides &&
                           dst.strides == contiguous_strides(dst.shape);
  if (same_layout) {
    const size_t bytes = dst.numel() * dtype_size(dst.dtype);
    auto* d = static_cast<char*>(dst.data);
    const auto* s = static_cast<const char*>(src.data);
    parallel_for(static_cast<int64_t>(bytes), kParallelGrain * 16, [&](int64_t b, int64_t e) {
      std::memcpy(d + b, s + b, e - b);
    });
    return;
  }
  visit_any(dst.dtype, [&](auto dst_tag) {
    using D = typename decltype(dst_tag)::type;
    visit_any(src.dtype, [&](auto src_tag) {
      using S = typename decltype(src_tag)::type;
      D* out = dst.ptr<D>();
      const S* in = src.ptr<S>();
      for_each_row<2>(dst.shape, {&dst.strides, &src.strides},
                      [&](auto off, int64_t n, auto st) {
                        D* o = out + off[0];
                        const S* x = in + off[1];
                        for (int64_t i = 0; i < n; ++i)
                          o[i * st[0]] = static_cast<D>(x[i * st[1]]);
                      });
    });
  });
}

void CpuBackend::fill(const View& dst, double value) {
  visit_any(dst.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T v = static_cast<T>(value);
    T* out = dst.ptr<T>();
    for_each_row<1>(dst.shape, {&dst.strides}, [&](auto off, int64_t n, auto st) {
      T* o = out + off[0];
      if (st[0] == 1) std::fill(o, o + n, v);
      else for (int64_t i = 0; i < n; ++i) o[i * st[0]] = v;
    });
  });
}

void CpuBackend::where(const View& out, const View& condition, const View& a, const View& b) {
  visit_any(out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* o = out.ptr<T>();
    const bool* c = condition.ptr<bool>();
    const T* pa = a.ptr<T>();
    const T* pb = b.ptr<T>();
    for_each_row<4>(out.shape, {&out.strides, &condition.strides, &a.strides, &b.strides},
                    [&](auto off, int64_t n, auto st) {
                      for (int64_t i = 0; i < n; ++i)
                        o[off[0] + i * st[0]] = c[off[1] + i * st[1]] ? pa[off[2] + i * st[2]]
                                                                      : pb[off[3] + i * st[3]];
                    });
  });
}

namespace {
// Element i of a draw depends only on (seed, offset + i / 2), whatever the thread split.
template <class T, class Draw>
void random_fill(const View& dst, uint64_t seed, uint64_t offset, Draw draw) {
  NABLA_CHECK(dst.strides == contiguous_strides(dst.shape),
              "random fill: the cpu kernel needs a contiguous destination");
  T* out = dst.ptr<T>();
  const int64_t n = dst.numel();
  const int64_t pairs = (n + 1) / 2;
  parallel_for(pairs, kParallelGrain / 2, [&](int64_t begin, int64_t end) {
    for (int64_t j = begin; j < end; ++j) {
      double u[2];
      philox::uniform_pair(seed, offset + static_cast<uint64_t>(j), u);
      double v[2];
      draw(u, v);
      out[2 * j] = static_cast<T>(v[0]);
      if (2 * j + 1 < n) out[2 * j + 1] = static_cast<T>(v[1]);
    }
  });
}

// A float rounding of u in [0, 1) can reach 1.0f; step back below it.
template <class T> double below_one(double x) {
  if constexpr (std::is_same_v<T, float>)
    return static_cast<float>(x) < 1.0f ? x : static_cast<double>(std::nextafter(1.0f, 0.0f));
  return x;
}
}  // namespace

void CpuBackend::random(OpId op, const View& dst, uint64_t seed, uint64_t offset, double a,
                        double b) {
  visit_any(dst.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      NABLA_FAIL(op_name(op), ": no random fill for bool");
    } else if (op == OpId::uniform) {
      random_fill<T>(dst, seed, offset, [&](const double* u, double* v) {
        v[0] = a + (b - a) * below_one<T>(u[0]);
        v[1] = a + (b - a) * below_one<T>(u[1]);
      });
    } else if (op == OpId::normal) {
      // Box-Muller; 1 - u keeps the log's argument in (0, 1].
      random_fill<T>(dst, seed, offset, [&](const double* u, double* v) {
        const double radius = std::sqrt(-2.0 * std::log(1.0 - u[0]));
        const double angle = 2.0 * M_PI * u[1];
        v[0] = a + b * radius * std::cos(angle);
        v[1] = a + b * radius * std::sin(angle);
      });
    } else {  // randint in [a, b)
      const double range = b - a;
      random_fill<T>(dst, seed, offset, [&](const double* u, double* v) {
        v[0] = a + std::floor(u[0] * range);
        v[1] = a + std::floor(u[1] * range);
      });
    }
  });
}

}  // namespace nabla::cpu
