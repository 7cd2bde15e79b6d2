// Activations: forward through one kernel (src/backend/cpu/activation.cpp), backward as the
// incoming gradient times the kernel's dy/dx twin, both evaluated at the saved input.
// prelu is binary: its weight's gradient is summed over the dims the weight was broadcast along.
#include "nabla/nn/functional/activation.hpp"

#include "nn/dropout_mask.hpp"
#include "nn/functional/per_channel.hpp"
#include "ops/op_helpers.hpp"

namespace nabla::nn::functional {

using namespace ops;

namespace {
// y = op(x); dx = g · grad_op(x).
Tensor pointwise(OpId op, OpId grad_op, const Tensor& x, const UnaryArgs& args = {}) {
  Tensor out = run_unary(op, x, args);
  autograd::record(op_name(op), {x}, out,
                   [saved = SavedTensor(x, op_name(op)), grad_op, args](const Tensor& g,
                                                                        const GradMask&) {
                     return Grads{g * run_unary(grad_op, saved.get(), args)};
                   });
  return out;
}
}  // namespace

Tensor sigmoid(const Tensor& x) { return nabla::sigmoid(x); }
Tensor tanh(const Tensor& x) { return nabla::tanh(x); }
Tensor relu(const Tensor& x) { return nabla::relu(x); }
Tensor softmax(const Tensor& x, int64_t dim) { return nabla::softmax(x, dim); }
Tensor log_softmax(const Tensor& x, int64_t dim) { return nabla::log_softmax(x, dim); }

// The constants make f(±1) = ±1 and keep the effective gain near 1 (LeCun's choice).
Tensor lecun_tanh(const Tensor& x) { return nabla::tanh(x * (2.0 / 3.0)) * 1.7159; }

Tensor leaky_relu(const Tensor& x, double negative_slope) {
  return pointwise(OpId::leaky_relu, OpId::leaky_relu_grad, x, {.a = negative_slope});
}

Tensor elu(const Tensor& x, double alpha) {
  return pointwise(OpId::elu, OpId::elu_grad, x, {.a = alpha});
}

Tensor softplus(const Tensor& x, double beta, double threshold) {
  NABLA_CHECK(beta != 0.0, "softplus: beta must be non-zero (it divides the result)");
  return pointwise(OpId::softplus, OpId::softplus_grad, x, {.a = beta, .b = threshold});
}

Tensor gelu(const Tensor& x, const std::string& approximate) {
  NABLA_CHECK(approximate == "none" || approximate == "tanh", "gelu: approximate must be "
              "\"none\" or \"tanh\", got \"", approximate, "\"");
  return pointwise(OpId::gelu, OpId::gelu_grad, x, {.has_a = approximate == "tanh"});
}

Tensor silu(const Tensor& x) { return pointwise(OpId::silu, OpId::silu_grad, x); }

Tensor erf(const Tensor& x) {
  Tensor out = run_unary(OpId::erf, x);
  // d/dx erf(x) = 2/√π · e^{−x²}
  autograd::record("erf", {x}, out, [saved = SavedTensor(x, "erf")](const Tensor& g,
                                                                     const GradMask&) {
    const Tensor v = saved.get();
    return Grads{g * nabla::exp(-(v * v)) * 1.1283791670955125739};
  });
  return out;
}

Shape per_channel_shape(const Tensor& x, const Tensor& param, const char* op, const char* what) {
  const int64_t channels = x.dim() >= 2 ? x.size(1) : 1;
  NABLA_CHECK(param.dim() <= 1 && (param.numel() == 1 || param.numel() == channels), op, ": ",
              what, " of shape ", param.shape(), " must hold 1 element or one per channel (",
              channels, ", dim 1 of the input of shape ", x.shape(), ")");
  if (param.numel() == 1) return {};
  Shape shape(x.dim() >= 2 ? static_cast<size_t>(x.dim() - 1) : 1, 1);
  shape[0] = param.numel();
  return shape;
}

Tensor prelu(const Tensor& x, const Tensor& weight) {
  const Tensor w = weight.detach().reshape(per_channel_shape(x, weight, "prelu", "weight"));
  const Tensor positive = gt(x, scalar_like(0.0, x));
  Tensor out = where(positive, x.detach(), x.detach() * w);
  autograd::record("prelu", {x, weight}, out,
                   [sx = SavedTensor(x, "prelu"), sw = SavedTensor(weight, "prelu"), w_shape = w.shape(),
                    weight_shape = weight.shape()](const Tensor& g, const GradMask& needs) {
                     const Tensor xv = sx.get();
                     const Tensor wv = sw.get().reshape(w_shape);
                     const Tensor pos = gt(xv, scalar_like(0.0, xv));
                     const Tensor zero = scalar_like(0.0, g);
                     Grads grads(2);
                     if (needs[0]) grads[0] = where(pos, g, g * wv);
                     if (needs[1]) grads[1] = sum_to(where(pos, zero, g * xv), w_shape).reshape(weight_shape);
                     return grads;
                   });
  return out;
}

Tensor noisy_relu(const Tensor& x, double stddev, bool training) {
  NABLA_CHECK(stddev >= 0.0, "noisy_relu: stddev must be >= 0, got ", stddev);
  if (!training || stddev == 0.0) return nabla::relu(x);
  // The noise is a constant of the graph: the gradient is the ReLU's at the noisy input.
  return nabla::relu(x + randn(x.shape(), {.dtype = x.dtype(), .device = x.device()}) * stddev);
}

Tensor dropout(const Tensor& x, double p, bool training) {
  return apply_dropout("dropout", x, p, training, x.shape());
}

}  // namespace nabla::nn::functional
