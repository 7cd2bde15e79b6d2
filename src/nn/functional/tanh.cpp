// tanh with an optional fast kernel, and tanh_linear(x, β) = tanh x + β·x.
//   tanh(x, "rational")   y = P/Q (src/backend/rational_tanh.hpp)   dx = g · (1 − y²)
// The backward uses tanh's identity at the approximated y (what it saved), not the derivative of
// P/Q: the two differ by about the approximation's error, and 1 − y² costs one pass.
// tanh_linear is composed of tanh, mul and add: autograd gives dx = g · (1 − y_tanh² + β) and,
// for a tensor β, dβ = Σ g · x over every dim but the channel one (mul's broadcast backward).
#include <cmath>

#include "nabla/nn/functional/activation.hpp"
#include "nn/functional/per_channel.hpp"
#include "nn/functional/tanh_approximate.hpp"
#include "ops/op_helpers.hpp"

namespace nabla::nn::functional {

using namespace ops;

namespace {
Tensor rational_tanh(const Tensor& x) {
  Tensor y = run_unary(OpId::tanh, x, {.has_a = true});
  autograd::record("tanh", {x}, y, [saved = SavedTensor(y, "tanh")](const Tensor& g,
                                                                    const GradMask&) {
    const Tensor yv = saved.get();
    return Grads{g * (1.0 - yv * yv)};
  });
  return y;
}

Tensor tanh_of(const char* op, const Tensor& x, const std::string& approximate) {
  return is_rational_tanh(op, approximate) ? rational_tanh(x) : nabla::tanh(x);
}
}  // namespace

bool is_rational_tanh(const char* who, const std::string& approximate) {
  NABLA_CHECK(approximate == "none" || approximate == "rational", who,
              ": approximate must be \"none\" (exact tanh) or \"rational\" (the fast float32 ratio "
              "of polynomials), got \"", approximate, "\"");
  return approximate == "rational";
}

Tensor tanh(const Tensor& x, const std::string& approximate) {
  return tanh_of("tanh", x, approximate);
}

Tensor lecun_tanh(const Tensor& x, const std::string& approximate) {
  return tanh_of("lecun_tanh", x * (2.0 / 3.0), approximate) * 1.7159;
}

Tensor tanh_linear(const Tensor& x, double beta, const std::string& approximate) {
  NABLA_CHECK(std::isfinite(beta), "tanh_linear: beta must be a finite number, got ", beta,
              " (0.1 is the usual slope; 0 gives plain tanh)");
  return tanh_of("tanh_linear", x, approximate) + x * beta;
}

Tensor tanh_linear(const Tensor& x, const Tensor& beta, const std::string& approximate) {
  const Shape shape = per_channel_shape(x, beta, "tanh_linear", "beta");
  return tanh_of("tanh_linear", x, approximate) + x * beta.reshape(shape);
}

}  // namespace nabla::nn::functional
