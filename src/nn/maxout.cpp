#include "nabla/nn/maxout.hpp"

#include "nabla/nn/init.hpp"
#include "nabla/ops.hpp"
#include "nn/layer_checks.hpp"

namespace nabla::nn {

Maxout::Maxout(int64_t in_features, int64_t out_features, int64_t pieces, DType dtype)
    : Module("Maxout"), in_features_(in_features), out_features_(out_features), pieces_(pieces) {
  NABLA_CHECK(in_features > 0 && out_features > 0 && pieces > 0, "Maxout: in_features (",
              in_features, "), out_features (", out_features, ") and pieces (", pieces,
              ") must be positive");
  weight = register_parameter("weight", empty({out_features * pieces, in_features}, {.dtype = dtype}));
  bias = register_parameter("bias", empty({out_features * pieces}, {.dtype = dtype}));
  reset_parameters();
}

// torch's Linear init, each piece a Linear(in, 1).
void Maxout::reset_parameters() { init::linear_default_(weight, bias); }

Tensor Maxout::forward(const Tensor& x) {
  check_in_features("Maxout", x, in_features_);
  const Tensor z = matmul(x, weight.t()) + bias;  // [..., out·k]
  Shape pieces_shape(x.shape().begin(), x.shape().end() - 1);
  pieces_shape.push_back(out_features_);
  pieces_shape.push_back(pieces_);
  return max(z.reshape(pieces_shape), -1).first;
}

std::string Maxout::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) + ", out_features=" +
         std::to_string(out_features_) + ", pieces=" + std::to_string(pieces_);
}

}  // namespace nabla::nn
