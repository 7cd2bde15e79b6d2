// The per-sample normalisations, all on one fused kernel pair that normalises rows of
// [N, G, D, S] (src/backend/cpu/norm.cpp):
//   group_norm      G = num_groups, D = C / G, S = H·W; γ, β per channel
//   layer_norm      one row per leading index, G = 1, D = Π normalized_shape, S = 1
//   instance_norm   G = C, D = 1; with running stats, these get the batch's mean over samples
#include "nabla/nn/functional/norm.hpp"
#include "nabla/ops.hpp"
#include "ops/norm_common.hpp"

namespace nabla::nn::functional {

using namespace nabla::ops;

namespace {
// x viewed as [N, C, S] normalised per (n, group) row with num_groups groups.
Tensor rows_norm(const Tensor& x, const Shape& as, int64_t groups, const Tensor& weight,
                 const Tensor& bias, double eps, NormStats* stats = nullptr) {
  const Tensor xc = x.detach().contiguous().reshape(as);
  NormArgs args;
  args.groups = groups;
  args.eps = eps;
  return run_norm(OpId::group_norm, OpId::group_norm_backward, x, xc, weight, bias, {as[0], groups},
                  args, stats);
}

void check_affine(const Tensor& t, const char* op, const char* what, const Shape& shape,
                  const Tensor& x) {
  if (!t.defined()) return;
  NABLA_CHECK(t.shape() == shape && t.dtype() == x.dtype(), op, ": ", what, " must have shape ",
              shape, " and dtype ", x.dtype(), " (input of shape ", x.shape(), "), got shape ",
              t.shape(), " and dtype ", t.dtype());
}
}  // namespace

Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight, const Tensor& bias,
                  double eps) {
  NABLA_CHECK(x.dim() >= 2, "group_norm: expected an input [N, C, ...], got shape ", x.shape());
  NABLA_CHECK(is_floating(x.dtype()), "group_norm: needs a floating input, got ", x.dtype());
  const int64_t c = x.size(1);
  NABLA_CHECK(num_groups >= 1 && c % num_groups == 0, "group_norm: num_groups = ", num_groups,
              " must divide the number of channels C = ", c, " (input of shape ", x.shape(), ")");
  check_affine(weight, "group_norm", "weight", {c}, x);
  check_affine(bias, "group_norm", "bias", {c}, x);
  const int64_t n = x.size(0);
  return rows_norm(x, {n, c, n * c == 0 ? 0 : x.numel() / (n * c)}, num_groups, weight, bias, eps);
}

Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight,
                  const Tensor& bias, double eps) {
  const auto k = static_cast<int64_t>(normalized_shape.size());
  const bool fits =
      k >= 1 && k <= x.dim() && Shape(x.shape().end() - k, x.shape().end()) == normalized_shape;
  NABLA_CHECK(fits, "layer_norm: normalized_shape ", normalized_shape,
              " must be non-empty and equal the last dims of the input of shape ", x.shape());
  NABLA_CHECK(is_floating(x.dtype()), "layer_norm: needs a floating input, got ", x.dtype());
  check_affine(weight, "layer_norm", "weight", normalized_shape, x);
  check_affine(bias, "layer_norm", "bias", normalized_shape, x);
  const int64_t row = shape_numel(normalized_shape);
  return rows_norm(x, {row == 0 ? 0 : x.numel() / row, row, 1}, 1, weight, bias, eps);
}

Tensor instance_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                     const Tensor& weight, const Tensor& bias, bool use_input_stats,
                     double momentum, double eps) {
  NABLA_CHECK(x.dim() >= 3,
              "instance_norm: expected an input [N, C, H, W] (or [N, C, L]), got shape ",
              x.shape());
  if (!use_input_stats)
    return batch_norm(x, running_mean, running_var, weight, bias, false, momentum, eps);
  NABLA_CHECK(is_floating(x.dtype()), "instance_norm: needs a floating input, got ", x.dtype());
  const int64_t n = x.size(0), c = x.size(1);
  const int64_t s = n * c == 0 ? 0 : x.numel() / (n * c);
  // As torch, with or without running stats: one value per channel has no variance.
  NABLA_CHECK(s > 1,
              "instance_norm: expected more than 1 spatial element per channel when training, "
              "got input of shape ",
              x.shape());
  check_affine(weight, "instance_norm", "weight", {c}, x);
  check_affine(bias, "instance_norm", "bias", {c}, x);
  if (running_mean.defined() || running_var.defined())
    NABLA_CHECK(running_var.defined() && running_mean.defined() &&
                    running_mean.shape() == Shape{c} && running_var.shape() == Shape{c},
                "instance_norm: running_mean and running_var must both be given with shape [", c,
                "]");
  NormStats stats;
  // group_norm with one group per channel; its checks are the ones made above.
  Tensor y = rows_norm(x, {n, c, s}, c, weight, bias, eps, &stats);
  if (running_mean.defined()) {
    // As torch (batch norm over a [1, N·C, ...] view): each sample's statistics update the
    // running ones, averaged over the batch. They come from the kernel's saved [N, C] mean and
    // invstd: the biased variance is 1/invstd² − eps, made unbiased by S/(S − 1).
    autograd::NoGradGuard no_grad;
    const double unbias = static_cast<double>(s) / static_cast<double>(s - 1);
    const Tensor var = (nabla::pow(stats.invstd, -2.0) - eps) * unbias;
    running_mean.mul_(1.0 - momentum).add_(nabla::mean(stats.mean, 0), momentum);
    running_var.mul_(1.0 - momentum).add_(nabla::mean(var, 0), momentum);
  }
  return y;
}

}  // namespace nabla::nn::functional
