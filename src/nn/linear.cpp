#include "nabla/nn/linear.hpp"

#include "nabla/nn/functional/linear.hpp"
#include "nabla/nn/init.hpp"
#include "nabla/ops.hpp"
#include "nn/layer_checks.hpp"
#include "nn/repr.hpp"

namespace nabla::nn {

Linear::Linear(const LinearOptions& options) : Module("Linear"), options_(options) {
  NABLA_CHECK(options.in_features > 0 && options.out_features > 0, "Linear: in_features (",
              options.in_features, ") and out_features (", options.out_features,
              ") must be positive");
  weight = register_parameter(
      "weight", empty({options.out_features, options.in_features}, {.dtype = options.dtype}));
  if (options.bias)
    bias = register_parameter("bias", empty({options.out_features}, {.dtype = options.dtype}));
  reset_parameters();
}

void Linear::reset_parameters() { init::linear_default_(weight, bias); }

Tensor Linear::forward(const Tensor& x) {
  check_in_features("Linear", x, options_.in_features);
  return functional::linear(x, weight, bias);
}

int64_t Linear::multiply_adds(const Shape& /*input*/, const Shape& output) const {
  return shape_numel(output) * options_.in_features;
}

std::string Linear::extra_repr() const {
  return "in_features=" + std::to_string(options_.in_features) +
         ", out_features=" + std::to_string(options_.out_features) +
         ", bias=" + py_bool(options_.bias);
}

Flatten::Flatten(int64_t start_dim, int64_t end_dim)
    : Module("Flatten"), start_dim_(start_dim), end_dim_(end_dim) {}

Tensor Flatten::forward(const Tensor& x) { return flatten(x, start_dim_, end_dim_); }

std::string Flatten::extra_repr() const {
  return "start_dim=" + std::to_string(start_dim_) + ", end_dim=" + std::to_string(end_dim_);
}

}  // namespace nabla::nn
