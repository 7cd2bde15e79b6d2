// Penalties, max-norm and gradient clipping with torch's semantics (torch.nn.utils.clip_grad_*,
// torch.renorm). Built from existing ops: these run once per step, not per element.
#include "nabla/optim/regularization.hpp"

#include <cmath>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"

namespace nabla::optim {

namespace {

Tensor penalty(const char* name, const std::vector<Tensor>& params, bool squared) {
  NABLA_CHECK(!params.empty(), name, ": got no parameters");
  Tensor total;
  for (const Tensor& p : params) {
    const Tensor term = squared ? sum(p * p) : sum(abs(p));
    total = total.defined() ? total + term : term;
  }
  return total;
}

// The norm_type-norm of every element of `g`, as a double.
double grad_norm(const Tensor& g, double norm_type) {
  const Tensor a = abs(g.detach());
  if (std::isinf(norm_type)) return g.numel() == 0 ? 0.0 : max(a).item();
  if (norm_type == 2.0) return std::sqrt(sum(a * a).item());
  if (norm_type == 1.0) return sum(a).item();
  return std::pow(sum(pow(a, norm_type)).item(), 1.0 / norm_type);
}

}  // namespace

Tensor l1_penalty(const std::vector<Tensor>& params) {
  return penalty("l1_penalty", params, false);
}

Tensor l2_penalty(const std::vector<Tensor>& params) {
  return penalty("l2_penalty", params, true);
}

void apply_max_norm_(const Tensor& weight, double max_norm, int64_t dim) {
  NABLA_CHECK(max_norm >= 0.0, "apply_max_norm_: max_norm must be >= 0, got ", max_norm);
  NABLA_CHECK(weight.dim() >= 1, "apply_max_norm_: needs a tensor with at least one dim, got "
              "shape ", weight.shape());
  const int64_t d = dim < 0 ? dim + weight.dim() : dim;
  NABLA_CHECK(d >= 0 && d < weight.dim(), "apply_max_norm_: dim ", dim, " is out of range for "
              "shape ", weight.shape());
  autograd::NoGradGuard no_grad;
  std::vector<int64_t> others;
  for (int64_t k = 0; k < weight.dim(); ++k)
    if (k != d) others.push_back(k);
  const Tensor w = weight.detach();
  const Tensor norm = others.empty() ? abs(w) : sqrt(sum(w * w, others, true));
  // torch.renorm: slices above max_norm are scaled by max_norm / (norm + 1e-7), others kept.
  // A 0-d bound broadcasts in gt; no need for a full tensor of norm's shape.
  const Tensor bound = scalar_tensor(max_norm, {.dtype = norm.dtype(), .device = norm.device()});
  const Tensor factor = where(gt(norm, bound), max_norm / (norm + 1e-7), ones_like(norm));
  weight.copy_(w * factor);
}

double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm, double norm_type,
                       bool error_if_nonfinite) {
  std::vector<Tensor> grads;
  for (const Tensor& p : params)
    if (p.grad().defined()) grads.push_back(p.grad());
  if (grads.empty()) return 0.0;
  double total = 0.0;
  for (const Tensor& g : grads) {
    const double n = grad_norm(g, norm_type);
    if (std::isinf(norm_type)) total = std::max(total, n);
    else total += std::pow(n, norm_type);
  }
  if (!std::isinf(norm_type)) total = std::pow(total, 1.0 / norm_type);
  NABLA_CHECK(!error_if_nonfinite || std::isfinite(total), "clip_grad_norm_: the total norm of "
              "order ", norm_type, " of the gradients is ", total, "; they cannot be clipped. "
              "Pass error_if_nonfinite = false to clip anyway");
  const double coef = max_norm / (total + 1e-6);
  if (coef < 1.0) {
    autograd::NoGradGuard no_grad;
    for (const Tensor& g : grads) g.mul_(coef);
  }
  return total;
}

void clip_grad_value_(const std::vector<Tensor>& params, double clip_value) {
  NABLA_CHECK(clip_value >= 0.0, "clip_grad_value_: clip_value must be >= 0, got ", clip_value);
  autograd::NoGradGuard no_grad;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (g.defined()) g.copy_(clamp(g, -clip_value, clip_value));
  }
}

}  // namespace nabla::optim
