// torch.nn.functional.linear: y = x Wᵀ + b for x [..., in], W [out, in], b [out] (or none).
// nn::Linear's forward is this function with its own weight and bias.
//   namespace F = nabla::nn::functional;  Tensor y = F::linear(x, w, b);
#pragma once
#pragma GCC visibility push(default)

#include "nabla/tensor.hpp"

namespace nabla::nn::functional {

// An Error names the shapes when W is not 2-D, x's last dim is not W's in, or b is not [out].
Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias = {});

}  // namespace nabla::nn::functional

#pragma GCC visibility pop
