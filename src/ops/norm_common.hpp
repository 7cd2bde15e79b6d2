// What batch_norm and the per-sample norms (group, layer, instance) share: running a fused
// forward kernel with its saved statistics, and recording the fused backward kernel.
#pragma once

#include "ops/op_helpers.hpp"

namespace nabla::ops {

// Runs `op` on args (x, weight, bias, running stats already set; y, mean and invstd are
// allocated here with `stats_shape`) and records `backward_op` over the defined inputs among
// x, weight, bias. `x_shape` is the caller's shape for y (x itself may be a reshaped view).
// When `stats` is given it receives the kernel's saved mean and invstd (instance_norm's
// running statistics are derived from them).
struct NormStats {
  Tensor mean, invstd;
};
inline Tensor run_norm(OpId op, OpId backward_op, const Tensor& x, const Tensor& xc,
                       const Tensor& weight, const Tensor& bias, const Shape& stats_shape,
                       NormArgs args, NormStats* stats = nullptr) {
  Backend& backend = dispatch(op, x.device(), x.dtype());
  const Tensor wc = weight.defined() ? weight.detach().contiguous() : Tensor();
  const Tensor bc = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor y = make_tensor(xc.shape(), x.dtype(), x.device());
  const Tensor mean = make_tensor(stats_shape, x.dtype(), x.device());
  const Tensor invstd = make_tensor(stats_shape, x.dtype(), x.device());
  args.x = view_of(xc);
  args.y = view_of(y);
  args.weight = view_of(wc);
  args.bias = view_of(bc);
  args.mean = view_of(mean);
  args.invstd = view_of(invstd);
  backend.norm(op, args);
  y = y.reshape(x.shape());
  if (stats) *stats = {mean, invstd};

  std::vector<Tensor> inputs{x};
  if (weight.defined()) inputs.push_back(weight);
  if (bias.defined()) inputs.push_back(bias);
  autograd::record(op_name(op), inputs, y,
                   // The weight is saved like x, so an in-place change to it before backward
                   // raises instead of silently using the new values; of the args only the
                   // scalars are kept (their views would be stale).
                   [backward_op, sx = SavedTensor(xc, op_name(op)),
                    sw = wc.defined() ? SavedTensor(wc, op_name(op)) : SavedTensor(), mean, invstd,
                    groups = args.groups, training = args.training, eps = args.eps,
                    has_w = weight.defined(), has_b = bias.defined(),
                    bias_shape = bias.defined() ? bias.shape() : Shape{},
                    x_shape = x.shape()](const Tensor& g, const GradMask& needs) {
                     const Tensor x = sx.get(), dy = g.contiguous().reshape(x.shape());
                     const Tensor w = has_w ? sw.get() : Tensor();
                     NormArgs a;
                     a.groups = groups;
                     a.training = training;
                     a.eps = eps;
                     a.x = view_of(x);
                     a.grad_y = view_of(dy);
                     a.weight = view_of(w);
                     a.mean = view_of(mean);
                     a.invstd = view_of(invstd);
                     Grads grads(needs.size());
                     auto alloc = [&](size_t slot, const Shape& shape, View& into) {
                       if (!needs[slot]) return;
                       grads[slot] = make_tensor(shape, x.dtype(), x.device());
                       into = view_of(grads[slot]);
                     };
                     alloc(0, x.shape(), a.grad_x);
                     if (has_w) alloc(1, w.shape(), a.grad_weight);
                     if (has_b) alloc(has_w ? 2 : 1, bias_shape, a.grad_bias);
                     dispatch(backward_op, x.device(), x.dtype()).norm(backward_op, a);
                     if (grads[0].defined()) grads[0] = grads[0].reshape(x_shape);
                     return grads;
                   });
  return y;
}

}  // namespace nabla::ops
