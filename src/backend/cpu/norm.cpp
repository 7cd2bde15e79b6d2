// Fused normalisation kernels. Statistics accumulate in double in a fixed order.
//   forward   x̂ = (x − μ) · σ⁻¹, σ⁻¹ = 1/√(var + eps) (biased var), y = γ x̂ + β
//   backward  over the M elements sharing one (μ, σ):
//             dx = σ⁻¹ (g − mean(g) − x̂ · mean(g x̂)),  g = γ dy        (training)
//             dx = σ⁻¹ g                                                 (eval batch norm)
//             dγ = Σ dy x̂, dβ = Σ dy over the elements of each channel
// batch_norm reduces a channel over [N, ·, S]; group_norm reduces a (n, g) row of D·S
// contiguous elements, with a per-channel affine (channel g·D + d).
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {

// Absent operands (weight, bias, running stats, unrequested grads) have null data, so their
// ptr<T>() is nullptr and the kernels test the pointer.
// The [N, C, S] view of a batch-norm input.
struct ChannelLayout {
  int64_t n, c, s;
  explicit ChannelLayout(const View& x)
      : n(x.shape[0]),
        c(x.shape[1]),
        s(x.numel() / std::max<int64_t>(1, x.shape[0] * x.shape[1])) {}
  int64_t per_channel() const { return n * s; }
  // fn(pointer to channel ch's run of S elements in image i) for every i.
  template <class T, class Fn>
  void each_run(T* base, int64_t ch, Fn&& fn) const {
    for (int64_t i = 0; i < n; ++i) fn(base + (i * c + ch) * s);
  }
};

// Double sums over a channel's runs with kLanes interleaved accumulators, added up in a fixed
// order at the end: a single running double is a chain of dependent adds (about 4 cycles an
// element) the compiler may not reorder, while eight independent ones vectorise.
struct LaneSums {
  static constexpr int64_t kLanes = 8;
  double first[kLanes] = {}, second[kLanes] = {};

  // term(k, first_term, second_term) for k in [0, count), lane k % kLanes.
  template <class Term> void add_run(int64_t count, Term&& term) {
    int64_t k = 0;
    for (; k + kLanes <= count; k += kLanes)
      for (int64_t l = 0; l < kLanes; ++l) term(k + l, first[l], second[l]);
    for (int64_t l = 0; k < count; ++k, ++l) term(k, first[l], second[l]);
  }
  static double total(const double (&lanes)[kLanes]) {
    double sum = 0.0;
    for (double lane : lanes) sum += lane;
    return sum;
  }
};

template <class T>
void batch_norm_forward(const NormArgs& a) {
  const ChannelLayout L(a.x);
  const T* x = a.x.ptr<T>();
  T* y = a.y.ptr<T>();
  const T *w = a.weight.ptr<T>(), *b = a.bias.ptr<T>();
  T *rm = a.running_mean.ptr<T>(), *rv = a.running_var.ptr<T>();
  T *mean_out = a.mean.ptr<T>(), *invstd_out = a.invstd.ptr<T>();
  const int64_t m = L.per_channel();
  parallel_for(L.c, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, m)),
               [&](int64_t first, int64_t last) {
                 for (int64_t ch = first; ch < last; ++ch) {
                   double mean, var;
                   if (a.training) {
                     LaneSums sums;
                     L.each_run(x, ch, [&](const T* run) {
                       sums.add_run(L.s, [&](int64_t k, double& total, double&) { total += run[k]; });
                     });
                     mean = LaneSums::total(sums.first) / static_cast<double>(m);
                     L.each_run(x, ch, [&](const T* run) {
                       sums.add_run(L.s, [&](int64_t k, double&, double& squares) {
                         const double d = run[k] - mean;
                         squares += d * d;
                       });
                     });
                     const double squares = LaneSums::total(sums.second);
                     var = squares / static_cast<double>(m);
                     if (rm) {
                       const double unbiased = m > 1 ? squares / static_cast<double>(m - 1) : NAN;
                       rm[ch] = static_cast<T>((1.0 - a.momentum) * rm[ch] + a.momentum * mean);
                       rv[ch] = static_cast<T>((1.0 - a.momentum) * rv[ch] + a.momentum * unbiased);
                     }
                   } else {
                     mean = rm[ch];
                     var = rv[ch];
                   }
                   const double invstd = 1.0 / std::sqrt(var + a.eps);
                   mean_out[ch] = static_cast<T>(mean);
                   invstd_out[ch] = static_cast<T>(invstd);
                   // y = x·scale + shift in T, as torch: a float32 multiply-add vectorises.
                   const double scale_d = (w ? w[ch] : 1.0) * invstd;
                   const T scale = static_cast<T>(scale_d);
                   const T shift = static_cast<T>((b ? b[ch] : 0.0) - mean * scale_d);
                   L.each_run(x, ch, [&](const T* run) {
                     T* out = y + (run - x);
                     for (int64_t k = 0; k < L.s; ++k) out[k] = run[k] * scale + shift;
                   });
                 }
               });
}

template <class T>
void batch_norm_backward(const NormArgs& a) {
  const ChannelLayout L(a.x);
  const T *x = a.x.ptr<T>(), *dy = a.grad_y.ptr<T>(), *w = a.weight.ptr<T>();
  const T *mean_in = a.mean.ptr<T>(), *invstd_in = a.invstd.ptr<T>();
  T *dx = a.grad_x.ptr<T>(), *dw = a.grad_weight.ptr<T>(), *db = a.grad_bias.ptr<T>();
  const int64_t m = L.per_channel();
  parallel_for(
      L.c, std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, m)),
      [&](int64_t first, int64_t last) {
        for (int64_t ch = first; ch < last; ++ch) {
          const double mean = mean_in[ch], invstd = invstd_in[ch];
          LaneSums sums;  // Σ dy and Σ dy (x − μ)
          L.each_run(x, ch, [&](const T* run) {
            const T* g = dy + (run - x);
            sums.add_run(L.s, [&](int64_t k, double& sum_dy, double& sum_dy_centred) {
              sum_dy += g[k];
              sum_dy_centred += g[k] * (run[k] - mean);
            });
          });
          const double sum_dy = LaneSums::total(sums.first);
          const double sum_dy_xhat = LaneSums::total(sums.second) * invstd;
          if (dw) dw[ch] = static_cast<T>(sum_dy_xhat);
          if (db) db[ch] = static_cast<T>(sum_dy);
          if (!dx) continue;
          // dx = scale (dy − mean(dy) − x̂ mean(dy x̂)) = scale·dy + centred·(x − μ) + offset,
          // with the per-channel coefficients in double and the elementwise pass in T.
          const double scale = (w ? w[ch] : 1.0) * invstd;
          const double mean_dy = a.training ? sum_dy / static_cast<double>(m) : 0.0;
          const double mean_dy_xhat = a.training ? sum_dy_xhat / static_cast<double>(m) : 0.0;
          const T dy_coef = static_cast<T>(scale);
          const T centred_coef = static_cast<T>(-scale * invstd * mean_dy_xhat);
          const T offset = static_cast<T>(-scale * mean_dy);
          const T mean_t = static_cast<T>(mean);
          L.each_run(x, ch, [&](const T* run) {
            const T* g = dy + (run - x);
            T* out = dx + (run - x);
            for (int64_t k = 0; k < L.s; ++k)
              out[k] = dy_coef * g[k] + centred_coef * (run[k] - mean_t) + offset;
          });
        }
      });
}

// The [N, G, D, S] view of a group-norm input; a row is one (n, g): D·S contiguous elements.
struct GroupLayout {
  int64_t n, g, d, s;
  explicit GroupLayout(const NormArgs& a)
      : n(a.x.shape[0]),
        g(a.groups),
        d(a.x.shape[1] / a.groups),
        s(a.x.numel() / std::max<int64_t>(1, a.x.shape[0] * a.x.shape[1])) {}
  int64_t rows() const { return n * g; }
  int64_t row_size() const { return d * s; }
  int64_t grain() const {
    return std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, row_size()));
  }
};

template <class T>
void group_norm_forward(const NormArgs& a) {
  const GroupLayout L(a);
  const T* x = a.x.ptr<T>();
  T* y = a.y.ptr<T>();
  const T *w = a.weight.ptr<T>(), *b = a.bias.ptr<T>();
  T *mean_out = a.mean.ptr<T>(), *invstd_out = a.invstd.ptr<T>();
  const int64_t k = L.row_size();
  parallel_for(L.rows(), L.grain(), [&](int64_t first, int64_t last) {
    for (int64_t r = first; r < last; ++r) {
      const T* xr = x + r * k;
      double total = 0.0, squares = 0.0;
      for (int64_t i = 0; i < k; ++i) total += xr[i];
      const double mean = total / static_cast<double>(k);
      for (int64_t i = 0; i < k; ++i) squares += (xr[i] - mean) * (xr[i] - mean);
      const double invstd = 1.0 / std::sqrt(squares / static_cast<double>(k) + a.eps);
      mean_out[r] = static_cast<T>(mean);
      invstd_out[r] = static_cast<T>(invstd);
      const int64_t channel0 = (r % L.g) * L.d;
      for (int64_t dd = 0; dd < L.d; ++dd) {
        const double scale = (w ? w[channel0 + dd] : 1.0) * invstd;
        const double shift = (b ? b[channel0 + dd] : 0.0) - mean * scale;
        for (int64_t i = dd * L.s; i < (dd + 1) * L.s; ++i)
          y[r * k + i] = static_cast<T>(xr[i] * scale + shift);
      }
    }
  });
}

template <class T>
void group_norm_backward(const NormArgs& a) {
  const GroupLayout L(a);
  const T *x = a.x.ptr<T>(), *dy = a.grad_y.ptr<T>(), *w = a.weight.ptr<T>();
  const T *mean_in = a.mean.ptr<T>(), *invstd_in = a.invstd.ptr<T>();
  T *dx = a.grad_x.ptr<T>(), *dw = a.grad_weight.ptr<T>(), *db = a.grad_bias.ptr<T>();
  const int64_t k = L.row_size();
  if (dx)
    parallel_for(L.rows(), L.grain(), [&](int64_t first, int64_t last) {
      for (int64_t r = first; r < last; ++r) {
        const double mean = mean_in[r], invstd = invstd_in[r];
        const int64_t channel0 = (r % L.g) * L.d, off = r * k;
        // Channel by channel (runs of S elements), so γ is read once per run, with no
        // division per element.
        double sum_g = 0.0, sum_g_xhat = 0.0;
        for (int64_t dd = 0; dd < L.d; ++dd) {
          const double gamma = w ? w[channel0 + dd] : 1.0;
          for (int64_t i = off + dd * L.s; i < off + (dd + 1) * L.s; ++i) {
            const double gi = dy[i] * gamma;
            sum_g += gi;
            sum_g_xhat += gi * (x[i] - mean) * invstd;
          }
        }
        const double mean_g = sum_g / static_cast<double>(k),
                     mean_gx = sum_g_xhat / static_cast<double>(k);
        for (int64_t dd = 0; dd < L.d; ++dd) {
          const double gamma = w ? w[channel0 + dd] : 1.0;
          for (int64_t i = off + dd * L.s; i < off + (dd + 1) * L.s; ++i) {
            const double xhat = (x[i] - mean) * invstd;
            dx[i] = static_cast<T>(invstd * (dy[i] * gamma - mean_g - xhat * mean_gx));
          }
        }
      }
    });
  if (!dw && !db) return;
  // Per channel, over every image: a second pass so each channel's sum has one owner. The
  // grain keeps small norms (a channel of a few elements) on one thread.
  const int64_t channel_grain =
      std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(1, L.n * L.s));
  parallel_for(L.g * L.d, channel_grain, [&](int64_t first, int64_t last) {
    for (int64_t c = first; c < last; ++c) {
      double sum_dy = 0.0, sum_dy_xhat = 0.0;
      for (int64_t n = 0; n < L.n; ++n) {
        const int64_t r = n * L.g + c / L.d, off = r * k + (c % L.d) * L.s;
        const double mean = mean_in[r], invstd = invstd_in[r];
        for (int64_t i = 0; i < L.s; ++i) {
          sum_dy += dy[off + i];
          sum_dy_xhat += dy[off + i] * (x[off + i] - mean) * invstd;
        }
      }
      if (dw) dw[c] = static_cast<T>(sum_dy_xhat);
      if (db) db[c] = static_cast<T>(sum_dy);
    }
  });
}

}  // namespace

void CpuBackend::norm(OpId op, const NormArgs& args) {
  visit_floating(args.x.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (op) {
      case OpId::batch_norm:
        batch_norm_forward<T>(args);
        return;
      case OpId::batch_norm_backward:
        batch_norm_backward<T>(args);
        return;
      case OpId::group_norm:
        group_norm_forward<T>(args);
        return;
      case OpId::group_norm_backward:
        group_norm_backward<T>(args);
        return;
      default:
        NABLA_FAIL("cpu norm: op '", op_name(op), "' is not a normalisation op");
    }
  });
}

}  // namespace nabla::cpu
