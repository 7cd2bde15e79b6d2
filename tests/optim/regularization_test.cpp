// Penalties (gradchecked), max-norm and gradient clipping on hand-worked values that follow
// torch.renorm and torch.nn.utils.clip_grad_norm_ / clip_grad_value_.
#include <cmath>

#include "nabla/optim/regularization.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

TEST(OptimRegularization, PenaltiesValuesAndGradients) {
  const Tensor a = f64({1.0, -2.0, 0.5}, {3}, true);
  const Tensor b = f64({-3.0, 4.0}, {2, 1}, true);
  EXPECT_DOUBLE_EQ(optim::l1_penalty({a, b}).item(), 10.5);
  EXPECT_DOUBLE_EQ(optim::l2_penalty({a, b}).item(), 1 + 4 + 0.25 + 9 + 16);
  manual_seed(3);
  const std::vector<Tensor> inputs{away_from_zero64({2, 3}), away_from_zero64({4})};
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& x) { return optim::l1_penalty(x); }, inputs));
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& x) { return optim::l2_penalty(x); }, inputs));
  EXPECT_TRUE(throws_error_containing([] { optim::l1_penalty({}); }, {"l1_penalty"}));
}

TEST(OptimRegularization, MaxNormRescalesOnlyLongRows) {
  // Rows of norm 5 and 0.5; max_norm 1 scales the first by 1 / (5 + 1e-7), keeps the second.
  const Tensor w = f64({3.0, 4.0, 0.3, 0.4}, {2, 2}, true);
  const uint64_t before = w.version();
  optim::apply_max_norm_(w, 1.0, 0);
  const double f = 1.0 / (5.0 + 1e-7);
  EXPECT_TRUE(all_close(w, f64({3.0 * f, 4.0 * f, 0.3, 0.4}, {2, 2}), 1e-15, 0));
  EXPECT_GT(w.version(), before);
  // dim = 1: columns (norms 3.0147 and 4.0200) both above 2.
  const Tensor v = f64({3.0, 4.0, 0.3, 0.4}, {2, 2});
  optim::apply_max_norm_(v, 2.0, 1);
  const double c0 = 2.0 / (std::sqrt(9.09) + 1e-7), c1 = 2.0 / (std::sqrt(16.16) + 1e-7);
  EXPECT_TRUE(all_close(v, f64({3.0 * c0, 4.0 * c1, 0.3 * c0, 0.4 * c1}, {2, 2}), 1e-14, 0));
  EXPECT_TRUE(throws_error_containing([&] { optim::apply_max_norm_(v, 1.0, 2); },
                                      {"apply_max_norm_", "dim 2", "[2, 2]"}));
}

TEST(OptimRegularization, ClipGradNormScalesAllGradientsTogether) {
  const Tensor a = f64({0.0, 0.0}, {2}, true);
  const Tensor b = f64({0.0}, {1}, true);
  a.set_grad(f64({3.0, 0.0}, {2}));
  b.set_grad(f64({4.0}, {1}));
  const double total = optim::clip_grad_norm_({a, b}, 1.0);
  EXPECT_DOUBLE_EQ(total, 5.0);
  const double coef = 1.0 / (5.0 + 1e-6);
  EXPECT_TRUE(all_close(a.grad(), f64({3.0 * coef, 0.0}, {2}), 1e-15, 0));
  EXPECT_TRUE(all_close(b.grad(), f64({4.0 * coef}, {1}), 1e-15, 0));
  // Below the limit: unchanged. Inf-norm and 1-norm totals.
  EXPECT_NEAR(optim::clip_grad_norm_({a, b}, 10.0), 1.0, 1e-6);
  EXPECT_TRUE(all_close(b.grad(), f64({4.0 * coef}, {1}), 1e-15, 0));
  a.set_grad(f64({-7.0, 1.0}, {2}));
  b.set_grad(f64({2.0}, {1}));
  EXPECT_DOUBLE_EQ(optim::clip_grad_norm_({a, b}, 100.0, optim::kInfNorm), 7.0);
  EXPECT_DOUBLE_EQ(optim::clip_grad_norm_({a, b}, 100.0, 1.0), 10.0);
  b.set_grad(f64({std::nan("")}, {1}));
  EXPECT_TRUE(throws_error_containing(
      [&] { optim::clip_grad_norm_({a, b}, 1.0, 2.0, true); }, {"clip_grad_norm_", "nan"}));
}

TEST(OptimRegularization, ClipGradValueClamps) {
  const Tensor a = f64({0.0, 0.0, 0.0}, {3}, true);
  a.set_grad(f64({-3.0, 0.5, 2.0}, {3}));
  optim::clip_grad_value_({a}, 1.0);
  EXPECT_TRUE(all_close(a.grad(), f64({-1.0, 0.5, 1.0}, {3})));
  EXPECT_TRUE(throws_error_containing([&] { optim::clip_grad_value_({a}, -1.0); },
                                      {"clip_grad_value_", "-1"}));
}
