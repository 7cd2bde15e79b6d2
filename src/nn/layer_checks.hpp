// Internal: the input check the feature-vector layers (Linear, Maxout, RBF) share.
#pragma once

#include "nabla/error.hpp"
#include "nabla/tensor.hpp"

namespace nabla::nn {

// x must be [..., in_features]; the Error names the layer, x's shape and the expected size.
inline void check_in_features(const char* layer, const Tensor& x, int64_t in_features) {
  NABLA_CHECK(x.dim() >= 1 && x.size(-1) == in_features, layer, ": input of shape ", x.shape(),
              " has last dim ", x.dim() ? x.size(-1) : 0, ", expected in_features = ",
              in_features);
}

}  // namespace nabla::nn
