// A port of torch 1.13's _cubic_interpolate and _strong_wolfe, branch by branch, so L-BFGS
// takes the same steps as torch's.
#include "optim/line_search.hpp"

#include <algorithm>
#include <cmath>

namespace nabla::optim {

double dot(const Vec& a, const Vec& b) {
  double s = 0.0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds) {
  const auto [lo, hi] = bounds ? *bounds : (x1 <= x2 ? std::pair{x1, x2} : std::pair{x2, x1});
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (d2_square < 0) return (lo + hi) / 2.0;
  const double d2 = std::sqrt(d2_square);
  const double min_pos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                  : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return std::min(std::max(min_pos, lo), hi);
}

namespace {

// One end of the bracket: step, loss, gradient and directional derivative there.
struct Point {
  double t, f;
  Vec g;
  double gtd;
};

}  // namespace

LineSearchResult strong_wolfe(const DirectionalFn& obj, double t, const Vec& d, double f,
                              const Vec& g, double gtd, double c1, double c2,
                              double tolerance_change, int max_ls) {
  double d_norm = 0.0;
  for (double v : d) d_norm = std::max(d_norm, std::abs(v));
  auto [f_new, g_new] = obj(t);
  int evals = 1;
  double gtd_new = dot(g_new, d);
  Point prev{0.0, f, g, gtd};
  std::vector<Point> bracket;
  bool done = false;
  int ls_iter = 0;
  // Phase 1: step out until the interval brackets a point satisfying the strong-Wolfe rules.
  while (ls_iter < max_ls) {
    if (f_new > f + c1 * t * gtd || (ls_iter > 1 && f_new >= prev.f)) {
      bracket = {prev, {t, f_new, g_new, gtd_new}};
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {
      bracket = {{t, f_new, g_new, gtd_new}};
      done = true;
      break;
    }
    if (gtd_new >= 0) {
      bracket = {prev, {t, f_new, g_new, gtd_new}};
      break;
    }
    const double min_step = t + 0.01 * (t - prev.t), max_step = t * 10;
    const double tmp = t;
    t = cubic_interpolate(prev.t, prev.f, prev.gtd, t, f_new, gtd_new,
                          std::pair{min_step, max_step});
    prev = {tmp, f_new, g_new, gtd_new};
    std::tie(f_new, g_new) = obj(t);
    ++evals;
    gtd_new = dot(g_new, d);
    ++ls_iter;
  }
  if (ls_iter == max_ls) bracket = {{0.0, f, g, gtd}, {t, f_new, g_new, gtd_new}};

  // Phase 2 (zoom): shrink the bracket by cubic interpolation until a point is accepted.
  bool insuf_progress = false;
  size_t low = 0, high = 1;
  if (bracket.size() == 2 && bracket[0].f > bracket[1].f) std::swap(low, high);
  while (!done && ls_iter < max_ls) {
    if (std::abs(bracket[1].t - bracket[0].t) * d_norm < tolerance_change) break;
    t = cubic_interpolate(bracket[0].t, bracket[0].f, bracket[0].gtd, bracket[1].t,
                          bracket[1].f, bracket[1].gtd);
    const double b_max = std::max(bracket[0].t, bracket[1].t);
    const double b_min = std::min(bracket[0].t, bracket[1].t);
    const double eps = 0.1 * (b_max - b_min);
    if (std::min(b_max - t, t - b_min) < eps) {
      // Too close to an end: torch moves the trial point eps inside after a stalled try.
      if (insuf_progress || t >= b_max || t <= b_min) {
        t = std::abs(t - b_max) < std::abs(t - b_min) ? b_max - eps : b_min + eps;
        insuf_progress = false;
      } else {
        insuf_progress = true;
      }
    } else {
      insuf_progress = false;
    }
    std::tie(f_new, g_new) = obj(t);
    ++evals;
    gtd_new = dot(g_new, d);
    ++ls_iter;
    if (f_new > f + c1 * t * gtd || f_new >= bracket[low].f) {
      bracket[high] = {t, f_new, g_new, gtd_new};
      low = bracket[0].f <= bracket[1].f ? 0 : 1;
      high = 1 - low;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high].t - bracket[low].t) >= 0) {
        bracket[high] = bracket[low];
      }
      bracket[low] = {t, f_new, g_new, gtd_new};
    }
  }
  const Point& best = bracket[low];
  return {best.f, best.g, best.t, evals};
}

}  // namespace nabla::optim
