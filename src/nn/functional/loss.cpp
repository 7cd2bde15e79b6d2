// Reductions, the regression losses and the binary cross-entropies (formulas in
// nabla/nn/functional/loss.hpp). They are short chains of fused elementwise ops; the
// classification losses are in loss_classification.cpp.
#include "nabla/nn/functional/loss.hpp"
#include "ops/op_helpers.hpp"

namespace nabla::nn::functional {

Reduction::Reduction(const std::string& name) {
  if (name == "none") kind_ = none;
  else if (name == "mean") kind_ = mean;
  else if (name == "sum") kind_ = sum;
  else NABLA_FAIL("loss: reduction \"", name, "\" is not a valid value; use \"none\", \"mean\" or \"sum\"");
}
Reduction::Reduction(const char* name) : Reduction(std::string(name)) {}

const char* Reduction::name() const {
  switch (kind_) {
    case none: return "none";
    case mean: return "mean";
    case sum: return "sum";
  }
  return "?";
}

Tensor reduce_loss(const Tensor& loss, Reduction reduction) {
  switch (reduction.kind()) {
    case Reduction::none: return loss;
    case Reduction::sum: return nabla::sum(loss);
    case Reduction::mean: return nabla::mean(loss);
  }
  return loss;
}

namespace {
void check_same_shape(const char* op, const Tensor& input, const Tensor& target) {
  NABLA_CHECK(input.shape() == target.shape(), op, ": input of shape ", input.shape(),
              " and target of shape ", target.shape(), " differ; give a target of the input's "
              "shape (reshape or unsqueeze it)");
  NABLA_CHECK(is_floating(target.dtype()), op, ": target must be floating point, got ",
              target.dtype(), "; convert it with .to(DType)");
}
}  // namespace

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("mse_loss", input, target);
  const Tensor d = input - target;
  return reduce_loss(d * d, reduction);
}

Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction) {
  check_same_shape("l1_loss", input, target);
  return reduce_loss(nabla::abs(input - target), reduction);
}

Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction, double delta) {
  check_same_shape("huber_loss", input, target);
  NABLA_CHECK(delta > 0.0, "huber_loss: delta must be positive, got ", delta);
  const Tensor d = input - target;
  const Tensor a = nabla::abs(d);
  const Tensor quadratic = d * d * 0.5;
  const Tensor linear = (a - 0.5 * delta) * delta;
  return reduce_loss(where(lt(a, ops::scalar_like(delta, a)), quadratic, linear), reduction);
}

Tensor smooth_l1_loss(const Tensor& input, const Tensor& target, Reduction reduction,
                      double beta) {
  check_same_shape("smooth_l1_loss", input, target);
  NABLA_CHECK(beta >= 0.0, "smooth_l1_loss: beta must be >= 0, got ", beta);
  if (beta == 0.0) return l1_loss(input, target, reduction);
  const Tensor d = input - target;
  const Tensor a = nabla::abs(d);
  const Tensor quadratic = d * d * (0.5 / beta);
  const Tensor linear = a - 0.5 * beta;
  return reduce_loss(where(lt(a, ops::scalar_like(beta, a)), quadratic, linear), reduction);
}

Tensor binary_cross_entropy(const Tensor& input, const Tensor& target, const BCEOptions& options) {
  check_same_shape("binary_cross_entropy", input, target);
  NABLA_CHECK(!options.pos_weight.defined(), "binary_cross_entropy: pos_weight belongs to "
              "binary_cross_entropy_with_logits");
  if (input.numel() > 0) {
    const double lo = nabla::min(input.detach()).item(), hi = nabla::max(input.detach()).item();
    NABLA_CHECK(lo >= 0.0 && hi <= 1.0, "binary_cross_entropy: input values must be "
                "probabilities in [0, 1], got the range [", lo, ", ", hi, "]; apply sigmoid first "
                "or use binary_cross_entropy_with_logits");
  }
  // torch clamps each log at -100 so that x = 0 or 1 gives a finite loss.
  const Tensor log_x = clamp(nabla::log(input), -100.0, std::nullopt);
  const Tensor log_1mx = clamp(nabla::log(1.0 - input), -100.0, std::nullopt);
  Tensor loss = -(target * log_x + (1.0 - target) * log_1mx);
  if (options.weight.defined()) loss = loss * options.weight.to(input.dtype());
  return reduce_loss(loss, options.reduction);
}

Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEOptions& options) {
  check_same_shape("binary_cross_entropy_with_logits", input, target);
  // −log σ(x) = log(1 + e^{−x}) = m + log(e^{−m} + e^{−x−m}), m = max(−x, 0): no overflow.
  const Tensor m = clamp(-input, 0.0, std::nullopt);
  const Tensor neg_log_sigmoid = m + nabla::log(nabla::exp(-m) + nabla::exp(-input - m));
  Tensor loss;
  if (options.pos_weight.defined()) {
    const Tensor log_weight = (options.pos_weight.to(input.dtype()) - 1.0) * target + 1.0;
    loss = (1.0 - target) * input + log_weight * neg_log_sigmoid;
  } else {
    loss = (1.0 - target) * input + neg_log_sigmoid;
  }
  if (options.weight.defined()) loss = loss * options.weight.to(input.dtype());
  return reduce_loss(loss, options.reduction);
}

}  // namespace nabla::nn::functional
