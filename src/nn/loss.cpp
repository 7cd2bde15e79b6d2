// Loss modules: options kept, weights registered as buffers, forward to the functions.
#include "nabla/nn/loss.hpp"

namespace nabla::nn {

namespace F = functional;

Tensor Loss::forward(const Tensor& x) {
  NABLA_FAIL(type_name(), ": a loss takes (input, target), got only an input of shape ",
             x.shape(), "; call it as loss(input, target)");
}

Tensor Loss::buffer_if_defined(const char* name, const Tensor& tensor) {
  return tensor.defined() ? register_buffer(name, tensor) : tensor;
}

std::string Loss::extra_repr() const { return std::string("reduction=") + reduction_.name(); }

CrossEntropyLoss::CrossEntropyLoss(F::CrossEntropyOptions options)
    : Loss("CrossEntropyLoss", options.reduction), options_(std::move(options)) {
  options_.weight = buffer_if_defined("weight", options_.weight);
}
Tensor CrossEntropyLoss::forward(const Tensor& input, const Tensor& target) {
  return F::cross_entropy(input, target, options_);
}

NLLLoss::NLLLoss(F::NLLLossOptions options)
    : Loss("NLLLoss", options.reduction), options_(std::move(options)) {
  options_.weight = buffer_if_defined("weight", options_.weight);
}
Tensor NLLLoss::forward(const Tensor& input, const Tensor& target) {
  return F::nll_loss(input, target, options_);
}

BCELoss::BCELoss(F::BCEOptions options) : Loss("BCELoss", options.reduction), options_(std::move(options)) {
  options_.weight = buffer_if_defined("weight", options_.weight);
}
Tensor BCELoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy(input, target, options_);
}

BCEWithLogitsLoss::BCEWithLogitsLoss(F::BCEOptions options)
    : Loss("BCEWithLogitsLoss", options.reduction), options_(std::move(options)) {
  options_.weight = buffer_if_defined("weight", options_.weight);
  options_.pos_weight = buffer_if_defined("pos_weight", options_.pos_weight);
}
Tensor BCEWithLogitsLoss::forward(const Tensor& input, const Tensor& target) {
  return F::binary_cross_entropy_with_logits(input, target, options_);
}

MultiMarginLoss::MultiMarginLoss(F::MultiMarginLossOptions options)
    : Loss("MultiMarginLoss", options.reduction), options_(std::move(options)) {
  NABLA_CHECK(options_.p == 1 || options_.p == 2, "MultiMarginLoss: p must be 1 or 2, got ",
              options_.p);
  options_.weight = buffer_if_defined("weight", options_.weight);
}
Tensor MultiMarginLoss::forward(const Tensor& input, const Tensor& target) {
  return F::multi_margin_loss(input, target, options_);
}

Tensor MSELoss::forward(const Tensor& input, const Tensor& target) {
  return F::mse_loss(input, target, reduction_);
}
Tensor L1Loss::forward(const Tensor& input, const Tensor& target) {
  return F::l1_loss(input, target, reduction_);
}
Tensor HuberLoss::forward(const Tensor& input, const Tensor& target) {
  return F::huber_loss(input, target, reduction_, delta_);
}
Tensor SmoothL1Loss::forward(const Tensor& input, const Tensor& target) {
  return F::smooth_l1_loss(input, target, reduction_, beta_);
}

}  // namespace nabla::nn
