// The ConvNetJS / CS231n spiral data: class k's arm starts at the origin and winds outwards,
// radius r = t and angle θ = 2πk/classes + 4t (+ noise) for t evenly spaced in [0, 1]; the arms
// interleave, so no linear classifier separates them but a small MLP does.
#include <cmath>
#include <numbers>

#include "nabla/data/dataset.hpp"
#include "nabla/error.hpp"
#include "nabla/random.hpp"

namespace nabla::data {

namespace {
// Its own stream, apart from the splits' and the loader's.
constexpr uint64_t kSpiralStream = 0x5B1A'0000'0000'0000ull;
}  // namespace

Dataset two_spirals(int64_t points_per_class, int64_t classes, double noise, uint64_t seed) {
  NABLA_CHECK(points_per_class >= 1, "two_spirals: points_per_class must be >= 1, got ",
              points_per_class);
  NABLA_CHECK(classes >= 1, "two_spirals: classes must be >= 1 (2 for the two spirals), got ",
              classes);
  NABLA_CHECK(noise >= 0.0 && std::isfinite(noise),
              "two_spirals: noise is a standard deviation in radians and must be >= 0, got ",
              noise);
  const int64_t n = points_per_class * classes;
  std::vector<float> points(static_cast<size_t>(2 * n));
  std::vector<int64_t> labels(static_cast<size_t>(n));
  RandomStream rng(seed, kSpiralStream);
  const double last = points_per_class > 1 ? static_cast<double>(points_per_class - 1) : 1.0;
  for (int64_t k = 0; k < classes; ++k) {
    for (int64_t i = 0; i < points_per_class; ++i) {
      const double t = static_cast<double>(i) / last;  // linspace(0, 1, points_per_class)
      const double theta =
          2.0 * std::numbers::pi * static_cast<double>(k) / static_cast<double>(classes) + 4.0 * t +
          noise * rng.normal();
      const auto row = static_cast<size_t>(k * points_per_class + i);
      points[2 * row] = static_cast<float>(t * std::sin(theta));
      points[2 * row + 1] = static_cast<float>(t * std::cos(theta));
      labels[row] = k;
    }
  }
  Dataset data =
      make_dataset(from_vector(points, {n, 2}), from_vector(labels, {n}), classes, "two_spirals");
  return data;
}

}  // namespace nabla::data
