// Friedman's first regression problem (J. Friedman, "Multivariate adaptive regression splines",
// 1991; scikit-learn's make_friedman1): x uniform in [0, 1]^features, of which only the first
// five matter, y = 10 sin(π x0 x1) + 20 (x2 - 0.5)² + 10 x3 + 5 x4 + noise · N(0, 1). A
// non-linear interaction, a quadratic and two linear terms, which a linear model cannot fit
// and a small MLP can.
#include <cmath>
#include <numbers>

#include "nabla/data/dataset.hpp"
#include "nabla/error.hpp"
#include "nabla/random.hpp"

namespace nabla::data {

namespace {
constexpr uint64_t kFriedmanStream = 0x5B1C'0000'0000'0000ull;  // apart from the other streams
}  // namespace

Dataset friedman1(int64_t samples, int64_t features, double noise, uint64_t seed) {
  NABLA_CHECK(samples >= 1, "friedman1: samples must be >= 1, got ", samples);
  NABLA_CHECK(features >= 5 && features <= 4096,
              "friedman1: features must lie in [5, 4096] (the first five are used), got ", features);
  NABLA_CHECK(noise >= 0.0 && std::isfinite(noise),
              "friedman1: noise is a standard deviation and must be >= 0, got ", noise);
  std::vector<float> x(static_cast<size_t>(samples * features));
  std::vector<float> y(static_cast<size_t>(samples));
  RandomStream rng(seed, kFriedmanStream);
  for (int64_t i = 0; i < samples; ++i) {
    float* row = x.data() + i * features;
    for (int64_t j = 0; j < features; ++j) row[j] = static_cast<float>(rng.uniform());
    const double x0 = row[0], x1 = row[1], x2 = row[2], x3 = row[3], x4 = row[4];
    y[static_cast<size_t>(i)] = static_cast<float>(
        10.0 * std::sin(std::numbers::pi * x0 * x1) + 20.0 * (x2 - 0.5) * (x2 - 0.5) + 10.0 * x3 +
        5.0 * x4 + noise * rng.normal());
  }
  return make_target_dataset(from_vector(x, {samples, features}), from_vector(y, {samples, 1}),
                             Task::regression, {"y"}, "friedman1");
}

}  // namespace nabla::data
