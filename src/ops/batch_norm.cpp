// batch_norm: one fused forward kernel (statistics, running-stat update and affine in a pass
// per channel) and one fused backward kernel (see src/backend/cpu/norm.cpp for the formulas).
// In training the gradient flows through the batch statistics; in eval they are constants.
#include "nabla/nn/functional/norm.hpp"
#include "ops/norm_common.hpp"

namespace nabla::nn::functional {

using namespace nabla::ops;

namespace {
void check_channel_vector(const Tensor& t, const char* what, const Tensor& x) {
  if (!t.defined()) return;
  NABLA_CHECK(t.dim() == 1 && t.size(0) == x.size(1) && t.dtype() == x.dtype(), "batch_norm: ",
              what, " must be 1-D of size C = ", x.size(1), " (input of shape ", x.shape(),
              ") and dtype ", x.dtype(), ", got shape ", t.shape(), " and dtype ", t.dtype());
}
}  // namespace

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight, const Tensor& bias, bool training, double momentum,
                  double eps) {
  NABLA_CHECK(x.dim() >= 2, "batch_norm: expected an input [N, C] or [N, C, ...], got shape ",
              x.shape());
  NABLA_CHECK(is_floating(x.dtype()), "batch_norm: needs a floating input, got ", x.dtype());
  NABLA_CHECK(running_mean.defined() == running_var.defined(),
              "batch_norm: give both running_mean and running_var, or neither");
  NABLA_CHECK(training || running_mean.defined(),
              "batch_norm: eval mode (training = false) normalises with running_mean and "
              "running_var, but none were given; pass them or use training = true");
  check_channel_vector(running_mean, "running_mean", x);
  check_channel_vector(running_var, "running_var", x);
  check_channel_vector(weight, "weight", x);
  check_channel_vector(bias, "bias", x);
  const int64_t per_channel = x.numel() / x.size(1);
  NABLA_CHECK(!training || per_channel > 1, "batch_norm: expected more than 1 value per channel "
              "when training, got input of shape ", x.shape());
  const Tensor xc = x.detach().contiguous();
  NormArgs args;
  args.training = training;
  args.momentum = momentum;
  args.eps = eps;
  if (running_mean.defined()) {
    NABLA_CHECK(running_mean.is_contiguous() && running_var.is_contiguous() &&
                    !running_mean.requires_grad() && !running_var.requires_grad(),
                "batch_norm: running_mean and running_var are updated in place, so they must be "
                "contiguous and not require grad");
    args.running_mean = view_of(running_mean);
    args.running_var = view_of(running_var);
  }
  Tensor y = run_norm(OpId::batch_norm, OpId::batch_norm_backward, x, xc, weight, bias,
                      {x.size(1)}, args);
  if (training && running_mean.defined()) {
    bump_version(running_mean);
    bump_version(running_var);
  }
  return y;
}

}  // namespace nabla::nn::functional
