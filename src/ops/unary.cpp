// Elementwise unary functions, y = f(x), and their derivatives:
//   neg  -x          dx = -g           exp   e^x          dx = g * y
//   log  ln x        dx = g / x        sqrt  √x           dx = g / (2y)
//   abs  |x|         dx = g * sign(x)  relu  max(x, 0)    dx = g * (y > 0)
//   sigmoid σ(x)     dx = g * y(1-y)   tanh  tanh x       dx = g * (1 - y²)
//   pow  x^e         dx = g * e * x^(e-1)
//   clamp            dx = g where min <= x <= max, else 0 (torch's boundary convention)
#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

namespace {
// Records a unary node whose derivative needs one saved tensor (the input or the output).
template <class Derivative>
Tensor unary_with(OpId op, const Tensor& x, const Tensor& saved_from, Tensor out,
                  Derivative derivative) {
  autograd::record(op_name(op), {x}, out,
                   [saved = SavedTensor(saved_from, op_name(op)), derivative](
                       const Tensor& g, const GradMask&) { return Grads{derivative(g, saved.get())}; });
  return out;
}
}  // namespace

Tensor neg(const Tensor& x) {
  Tensor out = run_unary(OpId::neg, x);
  autograd::record("neg", {x}, out, [](const Tensor& g, const GradMask&) { return Grads{neg(g)}; });
  return out;
}

Tensor exp(const Tensor& x) {
  Tensor y = run_unary(OpId::exp, x);
  return unary_with(OpId::exp, x, y, y, [](const Tensor& g, const Tensor& y) { return g * y; });
}

Tensor log(const Tensor& x) {
  return unary_with(OpId::log, x, x, run_unary(OpId::log, x),
                    [](const Tensor& g, const Tensor& x) { return g / x; });
}

Tensor sqrt(const Tensor& x) {
  Tensor y = run_unary(OpId::sqrt, x);
  return unary_with(OpId::sqrt, x, y, y,
                    [](const Tensor& g, const Tensor& y) { return g / (y * 2.0); });
}

Tensor abs(const Tensor& x) {
  return unary_with(OpId::abs, x, x, run_unary(OpId::abs, x), [](const Tensor& g, const Tensor& x) {
    return g * run_unary(OpId::sign, x);
  });
}

Tensor relu(const Tensor& x) {
  Tensor y = run_unary(OpId::relu, x);
  return unary_with(OpId::relu, x, y, y, [](const Tensor& g, const Tensor& y) {
    return run_binary(OpId::relu_grad, g, y);
  });
}

Tensor sigmoid(const Tensor& x) {
  Tensor y = run_unary(OpId::sigmoid, x);
  return unary_with(OpId::sigmoid, x, y, y,
                    [](const Tensor& g, const Tensor& y) { return g * y * (1.0 - y); });
}

Tensor tanh(const Tensor& x) {
  Tensor y = run_unary(OpId::tanh, x);
  return unary_with(OpId::tanh, x, y, y,
                    [](const Tensor& g, const Tensor& y) { return g * (1.0 - y * y); });
}

Tensor pow(const Tensor& base, double exponent) {
  Tensor out = run_unary(OpId::pow_scalar, base, {.a = exponent});
  return unary_with(OpId::pow_scalar, base, base, out,
                    [exponent](const Tensor& g, const Tensor& x) {
                      if (exponent == 0.0) return g * 0.0;
                      return g * (pow(x, exponent - 1.0) * exponent);
                    });
}

Tensor clamp(const Tensor& x, std::optional<double> min, std::optional<double> max) {
  NABLA_CHECK(min || max, "clamp: give at least one of min and max");
  NABLA_CHECK(!(min && max && *min > *max), "clamp: min ", *min, " is above max ", *max);
  const UnaryArgs args{.a = min.value_or(0.0), .b = max.value_or(0.0),
                       .has_a = min.has_value(), .has_b = max.has_value()};
  return unary_with(OpId::clamp, x, x, run_unary(OpId::clamp, x, args),
                    [args](const Tensor& g, const Tensor& x) {
                      // Inside [min, max] exactly when clamp(x) == x.
                      const Tensor inside = eq(run_unary(OpId::clamp, x, args), x);
                      return where(inside, g, scalar_like(0.0, g));
                    });
}

}  // namespace nabla
