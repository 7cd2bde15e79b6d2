// Dropout: inverted scaling, eval identity, p's range and edge values, determinism under a
// seed, and the gradient (the same mask scaled by 1/(1 − p)). The statistical check of the
// expected activation is in sanity_test.cpp.
#include <sstream>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::gradcheck_passes;
using nabla::testing::throws_error_containing;
namespace F = nabla::nn::functional;

TEST(Dropout, KeptValuesAreScaledAndTheRestZero) {
  manual_seed(30);
  const Tensor x = rand({10000}, {.dtype = DType::f64}) + 1.0;  // no zeros of its own
  const double p = 0.3;
  const Tensor y = F::dropout(x, p);
  const std::vector<double> xs = x.to_vector<double>(), ys = y.to_vector<double>();
  int64_t dropped = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    if (ys[i] == 0.0) ++dropped;
    else EXPECT_DOUBLE_EQ(ys[i], xs[i] / (1.0 - p));
  }
  // Binomial(10000, 0.3): standard deviation ≈ 46; allow 5 of them.
  EXPECT_NEAR(static_cast<double>(dropped), 3000.0, 5 * 46.0);
}

TEST(Dropout, EvalIsIdentityAndTrainDiffers) {
  manual_seed(31);
  nn::Dropout layer(0.5);
  std::ostringstream repr;
  repr << layer;
  EXPECT_EQ(repr.str(), "Dropout(p=0.5, inplace=False)");
  std::ostringstream zero_repr;
  zero_repr << nn::Dropout(0.0);  // torch prints Python's float: 0.0, not 0
  EXPECT_EQ(zero_repr.str(), "Dropout(p=0.0, inplace=False)");
  const Tensor x = randn({4, 8});
  EXPECT_FALSE(nabla::equal(layer(x), x));
  layer.eval();
  EXPECT_TRUE(layer(x).is_same(x));
  EXPECT_TRUE(F::dropout(x, 0.5, false).is_same(x));
}

TEST(Dropout, EdgeProbabilitiesAndErrors) {
  const Tensor x = randn({3, 3}, {.requires_grad = true});
  EXPECT_TRUE(F::dropout(x, 0.0).is_same(x));
  const Tensor all_dropped = F::dropout(x, 1.0);  // torch: zeros, still differentiable
  EXPECT_EQ(max(abs(all_dropped)).item(), 0.0);
  all_dropped.sum().backward();
  EXPECT_EQ(max(abs(x.grad())).item(), 0.0);
  for (double bad : {-0.1, 1.5}) {
    EXPECT_TRUE(throws_error_containing([&] { nn::Dropout d(bad); }, {"Dropout", "[0, 1]"}));
    EXPECT_TRUE(throws_error_containing([&] { F::dropout(x, bad); }, {"dropout", "[0, 1]"}));
  }
}

TEST(Dropout, SameSeedSameMask) {
  const Tensor x = ones({64});
  manual_seed(32);
  const Tensor a = F::dropout(x, 0.5);
  const Tensor b = F::dropout(x, 0.5);
  manual_seed(32);
  EXPECT_TRUE(nabla::equal(F::dropout(x, 0.5), a));
  EXPECT_FALSE(nabla::equal(a, b));  // the generator moves on between calls
}

TEST(Dropout, GradientUsesTheSameMask) {
  const Tensor x = nabla::testing::randn64({3, 4});
  // Reseeding inside fn makes every evaluation draw the same mask, so the finite
  // differences see one fixed linear map.
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& in) {
        manual_seed(33);
        return F::dropout(in[0], 0.4);
      },
      {x}));
  manual_seed(34);
  const Tensor y = F::dropout(x, 0.4);
  y.sum().backward();
  // dL/dx is 1/(1 − p) where kept and 0 where dropped: y / x elementwise.
  EXPECT_TRUE(nabla::testing::all_close(x.grad(), y.detach() / x.detach(), 1e-12, 1e-12));
}

// torch 1.13 reads a 3-D dropout2d input as (N, C, L): one draw per (sample, channel) row, so
// each row of L is all kept or all zero, and the rows of one channel differ across samples.
// The (C, H, W) reading would draw per dim 0 only, making each [C·L] sample uniform.
TEST(Dropout, Dropout2dThreeDInputIsNCL) {
  manual_seed(35);
  const int64_t n = 8, c = 16, l = 5;
  const Tensor x = ones({n, c, l}, {.dtype = DType::f64});
  const std::vector<double> ys = F::dropout2d(x, 0.5).to_vector<double>();
  int64_t uniform_samples = 0;
  for (int64_t s = 0; s < n; ++s) {
    bool same = true;
    for (int64_t ch = 0; ch < c; ++ch) {
      const double first = ys[(s * c + ch) * l];
      EXPECT_TRUE(first == 0.0 || first == 2.0) << first;
      for (int64_t i = 1; i < l; ++i) EXPECT_EQ(ys[(s * c + ch) * l + i], first);
      same = same && first == ys[s * c * l];
    }
    uniform_samples += same;
  }
  // Under (N, C, L) a sample's 16 channels all agree with probability 2^-15.
  EXPECT_LT(uniform_samples, n);
  nn::Dropout2d layer(0.5);
  manual_seed(36);
  const Tensor from_layer = layer(x);
  manual_seed(36);
  EXPECT_TRUE(nabla::equal(from_layer, F::dropout2d(x, 0.5)));
  EXPECT_TRUE(throws_error_containing([] { nn::Dropout2d bad(1.5); }, {"Dropout2d", "[0, 1]"}));
}
