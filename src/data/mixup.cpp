// mixup (Zhang et al. 2018) and the Gamma / Beta sampling it draws λ from.
#include <cmath>
#include <numeric>
#include <utility>
#include <vector>

#include "nabla/data/augment.hpp"
#include "nabla/error.hpp"

namespace nabla::data {
namespace {

// log of a Gamma(shape, 1) variate: Marsaglia and Tsang's squeeze-and-reject for shape >= 1;
// below 1, Gamma(shape + 1) · u^(1/shape), kept as a logarithm so it cannot underflow to 0.
double log_gamma_variate(double shape, RandomStream& rng) {
  if (shape < 1.0) {
    const double boosted = log_gamma_variate(shape + 1.0, rng);
    return boosted + std::log(1.0 - rng.uniform()) / shape;  // 1 - uniform() is in (0, 1]
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  while (true) {
    double x, v;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2 || std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v)))
      return std::log(d) + std::log(v);
  }
}

// The targets as [B, classes] float32 probabilities: one-hot rows from int64 indices, or the
// given rows converted.
Tensor target_probabilities(const Tensor& targets, int64_t batch, int64_t classes) {
  NABLA_CHECK(targets.defined(), "mixup: the batch has no targets; mixup needs class labels");
  if (targets.dtype() == DType::i64) {
    NABLA_CHECK(targets.shape() == Shape{batch}, "mixup: int64 targets must be [B] = [", batch,
                "] class indices, got shape ", targets.shape());
    const std::vector<int64_t> labels = targets.to(Device::CPU).contiguous().to_vector<int64_t>();
    Tensor out = zeros({batch, classes}, {.dtype = DType::f32});
    float* o = out.data<float>();
    for (int64_t i = 0; i < batch; ++i) {
      NABLA_CHECK(labels[i] >= 0 && labels[i] < classes, "mixup: target ", labels[i], " of row ", i,
                  " is outside [0, ", classes, "); set num_classes to the data set's class count");
      o[i * classes + labels[i]] = 1.0f;
    }
    return out;
  }
  NABLA_CHECK(is_floating(targets.dtype()) && targets.shape() == (Shape{batch, classes}),
              "mixup: targets must be int64 [B] or float [B, num_classes] = [", batch, ", ",
              classes, "], got ", targets.dtype(), " ", targets.shape());
  return targets.to(Device::CPU).to(DType::f32).contiguous();
}

// out[i] = lambda * x[i] + (1 - lambda) * x[perm[i]] over rows of `row` floats.
Tensor mix_rows(const Tensor& x, const std::vector<int64_t>& perm, double lambda) {
  const Tensor in = x.to(Device::CPU).to(DType::f32).contiguous();
  Tensor out = empty(in.shape(), {.dtype = DType::f32});
  const int64_t rows = static_cast<int64_t>(perm.size()), row = rows ? in.numel() / rows : 0;
  const float* a = in.data<float>();
  float* o = out.data<float>();
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t k = 0; k < row; ++k)
      o[i * row + k] =
          static_cast<float>(lambda * a[i * row + k] + (1.0 - lambda) * a[perm[i] * row + k]);
  return out;
}

}  // namespace

double sample_gamma(double shape, RandomStream& rng) {
  NABLA_CHECK(shape > 0.0 && std::isfinite(shape), "sample_gamma: shape ", shape,
              " must be a finite value > 0");
  return std::exp(log_gamma_variate(shape, rng));
}

double sample_beta(double a, double b, RandomStream& rng) {
  NABLA_CHECK(a > 0.0 && b > 0.0 && std::isfinite(a) && std::isfinite(b), "sample_beta: a = ", a,
              ", b = ", b, "; both must be finite values > 0");
  const double log_x = log_gamma_variate(a, rng);
  const double log_y = log_gamma_variate(b, rng);
  return 1.0 / (1.0 + std::exp(log_y - log_x));  // X / (X + Y)
}

BatchTransform make_mixup(double alpha, int64_t num_classes) {
  NABLA_CHECK(alpha > 0.0 && std::isfinite(alpha), "make_mixup: alpha = ", alpha,
              "; λ ~ Beta(alpha, alpha) needs alpha > 0 (the mixup paper uses 0.1 to 0.4)");
  NABLA_CHECK(num_classes >= 1, "make_mixup: num_classes = ", num_classes, "; must be >= 1");
  return [alpha, num_classes](Batch& batch, RandomStream& rng) {
    NABLA_CHECK(
        batch.inputs.defined() && batch.inputs.dim() >= 1 && is_floating(batch.inputs.dtype()),
        "mixup: expected float inputs [B, ...], got ",
        batch.inputs.defined() ? batch.inputs.shape() : Shape{});
    const int64_t rows = batch.inputs.size(0);
    Tensor targets = target_probabilities(batch.targets, rows, num_classes);
    const double lambda = sample_beta(alpha, alpha, rng);
    std::vector<int64_t> perm(static_cast<size_t>(rows));
    std::iota(perm.begin(), perm.end(), int64_t{0});
    for (int64_t i = rows - 1; i >= 1; --i)
      std::swap(perm[i], perm[static_cast<int64_t>(rng.below(static_cast<uint64_t>(i + 1)))]);
    batch.inputs = mix_rows(batch.inputs, perm, lambda);
    batch.targets = mix_rows(targets, perm, lambda);
  };
}

}  // namespace nabla::data
