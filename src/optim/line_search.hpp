// The strong-Wolfe line search of torch/optim/lbfgs.py (after Nocedal & Wright, alg. 3.5/3.6,
// and minFunc), on flat double vectors. Private to L-BFGS.
#pragma once

#include <functional>
#include <optional>
#include <utility>
#include <vector>

namespace nabla::optim {

using Vec = std::vector<double>;
double dot(const Vec& a, const Vec& b);

// The minimiser of the cubic through (x1, f1, g1) and (x2, f2, g2), clamped to bounds (the
// interval between x1 and x2 when none).
double cubic_interpolate(double x1, double f1, double g1, double x2, double f2, double g2,
                         std::optional<std::pair<double, double>> bounds = std::nullopt);

// Loss and flat gradient at x + t·d (it may leave the parameters there: the caller writes
// x + t·d for the chosen t afterwards).
using DirectionalFn = std::function<std::pair<double, Vec>(double t)>;

struct LineSearchResult {
  double loss;
  Vec grad;
  double t;
  int evals;
};

// f, g: loss and gradient at t = 0; gtd = g·d (< 0, a descent direction).
LineSearchResult strong_wolfe(const DirectionalFn& obj, double t, const Vec& d, double f,
                              const Vec& g, double gtd, double c1 = 1e-4, double c2 = 0.9,
                              double tolerance_change = 1e-9, int max_ls = 25);

}  // namespace nabla::optim
