// Activation modules: thin wrappers over nabla::nn::functional, with torch's reprs.
#include "nabla/nn/activation.hpp"

#include <cmath>
#include <sstream>

#include "nabla/nn/functional/activation.hpp"
#include "nn/functional/tanh_approximate.hpp"
#include "nn/repr.hpp"

namespace nabla::nn {

namespace F = functional;

namespace {
// "name=value" with the value as C++ streams print it (1, 20): integers, and Softplus's
// beta/threshold, whose torch defaults are Python ints and print as "1" and "20".
template <class T> std::string field(const char* name, const T& value) {
  std::ostringstream out;
  out << name << '=' << value;
  return out.str();
}
// "name=value" for torch's float arguments: ELU(alpha=1.0), LeakyReLU(negative_slope=0.01).
std::string float_field(const char* name, double value) {
  return std::string(name) + '=' + python_float(value);
}
// Torch's Tanh() prints nothing; the opt-in kernel shows as approximate='rational'.
std::string approximate_repr(const std::string& approximate) {
  return approximate == "none" ? "" : "approximate='" + approximate + "'";
}
}  // namespace

Tensor Sigmoid::forward(const Tensor& x) { return F::sigmoid(x); }
Tanh::Tanh(std::string approximate) : Module("Tanh"), approximate_(std::move(approximate)) {
  F::is_rational_tanh("Tanh", approximate_);
}
Tensor Tanh::forward(const Tensor& x) { return F::tanh(x, approximate_); }
std::string Tanh::extra_repr() const { return approximate_repr(approximate_); }

LeCunTanh::LeCunTanh(std::string approximate)
    : Module("LeCunTanh"), approximate_(std::move(approximate)) {
  F::is_rational_tanh("LeCunTanh", approximate_);
}
Tensor LeCunTanh::forward(const Tensor& x) { return F::lecun_tanh(x, approximate_); }
std::string LeCunTanh::extra_repr() const { return approximate_repr(approximate_); }

TanhLinear::TanhLinear(TanhLinearOptions options)
    : Module("TanhLinear"), options_(std::move(options)) {
  F::is_rational_tanh("TanhLinear", options_.approximate);
  NABLA_CHECK(std::isfinite(options_.beta), "TanhLinear: beta must be a finite number, got ",
              options_.beta, " (0.1 is the default slope)");
  NABLA_CHECK(options_.num_parameters >= 1, "TanhLinear: num_parameters must be >= 1, got ",
              options_.num_parameters);
  NABLA_CHECK(options_.learnable || options_.num_parameters == 1, "TanhLinear: num_parameters = ",
              options_.num_parameters, " needs learnable = true (a constant beta is one number)");
  if (options_.learnable)
    beta = register_parameter("beta", full({options_.num_parameters}, options_.beta,
                                           {.dtype = options_.dtype}));
}
Tensor TanhLinear::forward(const Tensor& x) {
  if (options_.learnable) return F::tanh_linear(x, beta, options_.approximate);
  return F::tanh_linear(x, options_.beta, options_.approximate);
}
std::string TanhLinear::extra_repr() const {
  std::string out = float_field("beta", options_.beta) + ", learnable=" +
                    (options_.learnable ? "True" : "False");  // Python's bools, as torch prints
  if (options_.num_parameters != 1) out += ", " + field("num_parameters", options_.num_parameters);
  const std::string approximate = approximate_repr(options_.approximate);
  return approximate.empty() ? out : out + ", " + approximate;
}
Tensor ReLU::forward(const Tensor& x) { return F::relu(x); }
Tensor SiLU::forward(const Tensor& x) { return F::silu(x); }

Tensor LeakyReLU::forward(const Tensor& x) { return F::leaky_relu(x, negative_slope_); }
std::string LeakyReLU::extra_repr() const { return float_field("negative_slope", negative_slope_); }

PReLU::PReLU(int64_t num_parameters, double init, DType dtype)
    : Module("PReLU"), num_parameters_(num_parameters) {
  NABLA_CHECK(num_parameters >= 1, "PReLU: num_parameters must be >= 1, got ", num_parameters);
  weight = register_parameter("weight", full({num_parameters}, init, {.dtype = dtype}));
}
Tensor PReLU::forward(const Tensor& x) { return F::prelu(x, weight); }
std::string PReLU::extra_repr() const { return field("num_parameters", num_parameters_); }

Tensor ELU::forward(const Tensor& x) { return F::elu(x, alpha_); }
std::string ELU::extra_repr() const { return float_field("alpha", alpha_); }

Tensor Softplus::forward(const Tensor& x) { return F::softplus(x, beta_, threshold_); }
std::string Softplus::extra_repr() const {
  return field("beta", beta_) + ", " + field("threshold", threshold_);
}

GELU::GELU(std::string approximate) : Module("GELU"), approximate_(std::move(approximate)) {
  NABLA_CHECK(approximate_ == "none" || approximate_ == "tanh", "GELU: approximate must be "
              "\"none\" or \"tanh\", got \"", approximate_, "\"");
}
Tensor GELU::forward(const Tensor& x) { return F::gelu(x, approximate_); }
std::string GELU::extra_repr() const { return "approximate='" + approximate_ + "'"; }

NoisyReLU::NoisyReLU(double stddev) : Module("NoisyReLU"), stddev_(stddev) {
  NABLA_CHECK(stddev >= 0.0, "NoisyReLU: stddev must be >= 0, got ", stddev);
}
Tensor NoisyReLU::forward(const Tensor& x) { return F::noisy_relu(x, stddev_, is_training()); }
std::string NoisyReLU::extra_repr() const { return float_field("stddev", stddev_); }

Tensor Softmax::forward(const Tensor& x) { return F::softmax(x, dim_); }
std::string Softmax::extra_repr() const { return field("dim", dim_); }
Tensor LogSoftmax::forward(const Tensor& x) { return F::log_softmax(x, dim_); }
std::string LogSoftmax::extra_repr() const { return field("dim", dim_); }

}  // namespace nabla::nn
