// The shape that lines a per-channel parameter (prelu's weight, tanh_linear's β) up with dim 1
// of its input: [C, 1, ..., 1] for C values, [] for one shared value.
#pragma once

#include "nabla/tensor.hpp"

namespace nabla::nn::functional {

// Checks that `param` is 0-D or 1-D with 1 element or one per channel (dim 1 of x; 1 for a 0-D
// or 1-D x); the error names `op` and `what` (e.g. "prelu", "weight").
Shape per_channel_shape(const Tensor& x, const Tensor& param, const char* op, const char* what);

}  // namespace nabla::nn::functional
