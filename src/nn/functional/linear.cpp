#include "nabla/nn/functional/linear.hpp"

#include "nabla/ops.hpp"
#include "nn/layer_checks.hpp"

namespace nabla::nn::functional {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  NABLA_CHECK(weight.defined() && weight.dim() == 2, "linear: weight must be [out_features, "
              "in_features], got shape ", weight.defined() ? weight.shape() : Shape{});
  check_in_features("linear", x, weight.size(1));
  NABLA_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == weight.size(0)),
              "linear: bias of shape ", bias.shape(), " for a weight of shape ", weight.shape(),
              "; it must be [out_features] = [", weight.size(0), "]");
  Tensor y = matmul(x, weight.t());  // the transpose is a BLAS flag, not a copy
  return bias.defined() ? y + bias : y;
}

}  // namespace nabla::nn::functional
