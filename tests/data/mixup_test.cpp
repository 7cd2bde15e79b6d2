// mixup and its Beta sampling (src/data/mixup.cpp): targets stay distributions, inputs and
// targets share one convex combination drawn in the documented order, λ's moments, errors.
#include <gmock/gmock.h>

#include <numeric>

#include "nabla/data/augment.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

// λ and the permutation as make_mixup documents them: λ, then Fisher-Yates.
std::pair<double, std::vector<int64_t>> expected_draws(double alpha, int64_t rows,
                                                       RandomStream& rng) {
  const double lambda = data::sample_beta(alpha, alpha, rng);
  std::vector<int64_t> perm(rows);
  std::iota(perm.begin(), perm.end(), 0);
  for (int64_t i = rows - 1; i >= 1; --i) std::swap(perm[i], perm[rng.below(i + 1)]);
  return {lambda, perm};
}

Tensor mixed(const Tensor& x, const std::vector<int64_t>& perm, double lambda) {
  const Tensor index = from_vector(perm);
  return (lambda * x.to(DType::f64) + (1 - lambda) * index_select(x.to(DType::f64), 0, index))
      .to(DType::f32);
}

}  // namespace

TEST(Mixup, InputsAndOneHotTargetsShareOneConvexCombination) {
  manual_seed(3);
  const Tensor inputs = randn({6, 1, 2, 2});
  const Tensor labels = from_vector<int64_t>({0, 3, 3, 9, 1, 4});
  const auto mixup = data::make_mixup(0.4, 10);
  for (uint64_t stream = 0; stream < 5; ++stream) {
    data::Batch batch{.inputs = inputs, .targets = labels, .indices = {0, 1, 2, 3, 4, 5}};
    RandomStream rng(2, stream), replay(2, stream);
    mixup(batch, rng);
    const auto [lambda, perm] = expected_draws(0.4, 6, replay);
    EXPECT_GE(lambda, 0.0);
    EXPECT_LE(lambda, 1.0);
    EXPECT_EQ(batch.targets.shape(), (Shape{6, 10}));
    EXPECT_EQ(batch.targets.dtype(), DType::f32);
    EXPECT_TRUE(all_close(sum(batch.targets, 1), ones({6}), 0, 1e-6));
    const Tensor one_hot =
        eq(arange(10.0, {.dtype = DType::i64}).unsqueeze(0), labels.unsqueeze(1)).to(DType::f32);
    EXPECT_TRUE(all_close(batch.targets, mixed(one_hot, perm, lambda), 0, 1e-6));
    EXPECT_TRUE(all_close(batch.inputs, mixed(inputs, perm, lambda), 0, 1e-6));
    EXPECT_EQ(batch.indices, (std::vector<int64_t>{0, 1, 2, 3, 4, 5}));
  }
}

TEST(Mixup, SoftTargetsAreMixedAsTheyAre) {
  manual_seed(4);
  const Tensor probs = softmax(randn({5, 3}), 1);
  data::Batch batch{.inputs = randn({5, 2}), .targets = probs, .indices = {}};
  RandomStream rng(8, 1), replay(8, 1);
  data::make_mixup(1.0, 3)(batch, rng);
  const auto [lambda, perm] = expected_draws(1.0, 5, replay);
  EXPECT_TRUE(all_close(batch.targets, mixed(probs, perm, lambda), 0, 1e-6));
  EXPECT_TRUE(all_close(sum(batch.targets, 1), ones({5}), 0, 1e-6));
}

TEST(Mixup, LambdaMomentsMatchBeta) {
  // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)); 4000 draws from a fixed stream.
  for (double alpha : {1.0, 0.2, 3.0}) {
    SCOPED_TRACE(alpha);
    RandomStream rng(123, 0);
    double total = 0, squares = 0;
    const int draws = 4000;
    for (int i = 0; i < draws; ++i) {
      const double l = data::sample_beta(alpha, alpha, rng);
      ASSERT_TRUE(l >= 0.0 && l <= 1.0) << l;
      total += l;
      squares += l * l;
    }
    const double mean = total / draws, variance = squares / draws - mean * mean;
    EXPECT_NEAR(mean, 0.5, 0.03);
    EXPECT_NEAR(variance, 1.0 / (4 * (2 * alpha + 1)), 0.02);
  }
}

TEST(Mixup, GammaMeanIsItsShape) {
  for (double shape : {0.3, 1.0, 4.5}) {
    RandomStream rng(77, 1);
    double total = 0;
    for (int i = 0; i < 4000; ++i) total += data::sample_gamma(shape, rng);
    EXPECT_NEAR(total / 4000, shape, 0.1 * shape) << shape;
  }
}

TEST(Mixup, TinyAlphaStaysInRange) {
  RandomStream rng(9, 9);
  for (int i = 0; i < 2000; ++i) {
    const double l = data::sample_beta(0.01, 0.01, rng);
    ASSERT_TRUE(l >= 0.0 && l <= 1.0) << l;
  }
}

TEST(Mixup, Errors) {
  EXPECT_TRUE(throws_error_containing([] { data::make_mixup(0.0, 10); }, {"alpha = 0", "> 0"}));
  EXPECT_TRUE(throws_error_containing([] { data::make_mixup(-1.0, 10); }, {"alpha = -1"}));
  EXPECT_TRUE(throws_error_containing([] { data::make_mixup(1.0, 0); }, {"num_classes = 0"}));
  const auto mixup = data::make_mixup(1.0, 10);
  RandomStream rng(1, 1);
  data::Batch batch{
      .inputs = randn({3, 4}), .targets = from_vector<int64_t>({1, 10, 2}), .indices = {}};
  EXPECT_TRUE(throws_error_containing([&] { mixup(batch, rng); },
                                      {"target 10", "row 1", "[0, 10)", "num_classes"}));
  batch.targets = from_vector<int64_t>({1, -1, 2});
  EXPECT_TRUE(throws_error_containing([&] { mixup(batch, rng); }, {"target -1"}));
  batch.targets = zeros({3, 7});
  EXPECT_TRUE(throws_error_containing([&] { mixup(batch, rng); }, {"[3, 10]", "[3, 7]"}));
  EXPECT_TRUE(throws_error_containing([&] { data::sample_beta(0.0, 1.0, rng); }, {"sample_beta"}));
}
