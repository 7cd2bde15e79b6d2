// var, std_dev and logsumexp (src/ops/statistics.cpp): gradients for each dims / keepdim /
// correction variant, values by hand and against naive loops, stability and errors.
#include <cmath>

#include "support/harness.hpp"
#include "support/reference.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

const std::vector<Dims>& dims_variants() {
  static const std::vector<Dims> variants{Dims(), Dims(0), Dims(1), Dims(-1), Dims({0, 2})};
  return variants;
}

}  // namespace

TEST(Statistics, GradcheckVarDimsKeepdimCorrection) {
  manual_seed(41);
  for (const Dims& dims : dims_variants())
    for (int64_t correction : {0, 1})
      for (bool keepdim : {false, true}) {
        auto fn = [&](const std::vector<Tensor>& in) { return var(in[0], dims, correction, keepdim); };
        EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3, 4})}))
            << "dims " << ::testing::PrintToString(dims.values) << " correction " << correction
            << " keepdim " << keepdim;
      }
}

TEST(Statistics, GradcheckStdDev) {
  manual_seed(42);
  // Random normal rows have a spread well away from 0, where sqrt's derivative blows up.
  for (const Dims& dims : dims_variants())
    for (bool keepdim : {false, true}) {
      auto fn = [&](const std::vector<Tensor>& in) { return std_dev(in[0], dims, 1, keepdim); };
      EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3, 4})}))
          << "dims " << ::testing::PrintToString(dims.values) << " keepdim " << keepdim;
    }
  auto fn = [](const std::vector<Tensor>& in) { return std_dev(in[0], 1, 0); };
  EXPECT_TRUE(gradcheck_passes(fn, {transposed_leaf(randn64({3, 5}))}));
  EXPECT_TRUE(gradcheck_passes(fn, {strided_leaf(randn64({3, 5}))}));
}

TEST(Statistics, GradcheckLogsumexp) {
  manual_seed(43);
  for (const Dims& dims : dims_variants())
    for (bool keepdim : {false, true}) {
      auto fn = [&](const std::vector<Tensor>& in) { return logsumexp(in[0], dims, keepdim); };
      EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3, 4})}))
          << "dims " << ::testing::PrintToString(dims.values) << " keepdim " << keepdim;
    }
  auto fn = [](const std::vector<Tensor>& in) { return logsumexp(in[0], 0); };
  EXPECT_TRUE(gradcheck_passes(fn, {transposed_leaf(randn64({3, 4}))}));
  // A large common offset: the gradient is softmax, unaffected by the shift.
  EXPECT_TRUE(gradcheck_passes(fn, {(randn64({3, 4}, false) + 500.0).detach().requires_grad_(true)}));
}

TEST(Statistics, VarAndStdHandExamples) {
  const Tensor x = f64({1, 2, 3, 4}, {4});
  EXPECT_NEAR(var(x).item(), 5.0 / 3.0, 1e-15);             // Bessel: 5 / (4 - 1)
  EXPECT_NEAR(var(x, {}, 0).item(), 1.25, 1e-15);           // population
  EXPECT_NEAR(std_dev(x).item(), std::sqrt(5.0 / 3.0), 1e-15);
  const Tensor m = f64({1, 2, 3, 2, 4, 6}, {2, 3});
  EXPECT_TRUE(all_close(var(m, 1), f64({1, 4}, {2})));
  EXPECT_TRUE(all_close(var(m, 0, 0, true), f64({0.25, 1, 2.25}, {1, 3})));
  EXPECT_TRUE(all_close(std_dev(m, -1, 1, true), f64({1, 2}, {2, 1})));
  EXPECT_EQ(var(full({5}, 3.0, {.dtype = DType::f64})).item(), 0.0);
}

TEST(Statistics, VarMatchesTwoPassLoop) {
  manual_seed(44);
  const Tensor x = randn({7, 30}, {.dtype = DType::f64}) * 3.0 + 10.0;
  const std::vector<double> v = x.to_vector<double>();
  std::vector<double> want(7);
  for (int64_t r = 0; r < 7; ++r) {
    double mu = 0, ss = 0;
    for (int64_t c = 0; c < 30; ++c) mu += v[r * 30 + c] / 30.0;
    for (int64_t c = 0; c < 30; ++c) ss += (v[r * 30 + c] - mu) * (v[r * 30 + c] - mu);
    want[r] = ss / 29.0;
  }
  EXPECT_TRUE(all_close(var(x, 1), f64(want, {7}), 1e-12));
  EXPECT_TRUE(all_close(var(x.t(), 0), f64(want, {7}), 1e-12));  // the same rows as columns
  EXPECT_TRUE(all_close(var(x.to(DType::f32), 1), f64(want, {7}), 1e-4));
}

TEST(Statistics, VarWithTooFewElementsIsNan) {
  // torch: n <= correction gives nan (0 / 0), not an error.
  EXPECT_TRUE(std::isnan(var(f64({3}, {1})).item()));
  EXPECT_EQ(var(f64({3}, {1}), {}, 0).item(), 0.0);
}

TEST(Statistics, LogsumexpMatchesReferenceAndIsStable) {
  manual_seed(45);
  const Tensor x = randn({6, 11}, {.dtype = DType::f64}) * 4.0;
  const std::vector<double> want = reference::logsumexp_rows(x.to_vector<double>(), 6, 11);
  EXPECT_TRUE(all_close(logsumexp(x, 1), f64(want, {6}), 1e-13));
  EXPECT_TRUE(all_close(logsumexp(x.t(), 0, true), f64(want, {1, 6}), 1e-13));
  // exp(1000) overflows; the shifted form does not.
  const Tensor big = f64({1000, 1000, -1000}, {3});
  EXPECT_NEAR(logsumexp(big, 0).item(), 1000.0 + std::log(2.0), 1e-12);
  EXPECT_NEAR(logsumexp(big.to(DType::f32), 0).item(), 1000.0 + std::log(2.0), 1e-3);
  // All -inf: the sum of nothing, log 0 = -inf (torch), not nan.
  EXPECT_EQ(logsumexp(f64({-INFINITY, -INFINITY}, {2}), 0).item(), -INFINITY);
}

TEST(Statistics, LogsumexpGradientIsSoftmax) {
  const Tensor x = f64({1, 2, 3}, {3}, true);
  logsumexp(x, 0).backward();
  EXPECT_TRUE(all_close(x.grad(), softmax(x.detach(), 0), 1e-14));
}

TEST(Statistics, ErrorsNameOpAndShape) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_error_containing([&] { var(x, 2); }, {"var", "dim 2", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { var(x, 0, -1); }, {"var", "correction", "-1"}));
  EXPECT_TRUE(throws_error_containing([&] { std_dev(x, {0, 0}); }, {"var", "twice", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { logsumexp(x, -3); }, {"logsumexp", "dim -3", "[2, 3]"}));
}
