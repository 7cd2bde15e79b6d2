#include "nabla/nn/rbf.hpp"

#include "nabla/nn/init.hpp"
#include "nabla/ops.hpp"
#include "nn/layer_checks.hpp"

namespace nabla::nn {

RBF::RBF(int64_t in_features, int64_t out_features, DType dtype)
    : Module("RBF"), in_features_(in_features), out_features_(out_features) {
  NABLA_CHECK(in_features > 0 && out_features > 0, "RBF: in_features (", in_features,
              ") and out_features (", out_features, ") must be positive");
  centres = register_parameter("centres", empty({out_features, in_features}, {.dtype = dtype}));
  log_sigma = register_parameter("log_sigma", empty({out_features}, {.dtype = dtype}));
  reset_parameters();
}

void RBF::reset_parameters() {
  init::normal_(centres, 0.0, 1.0);
  init::zeros_(log_sigma);
}

Tensor RBF::forward(const Tensor& x) {
  check_in_features("RBF", x, in_features_);
  // The differences [..., out, in] rather than ‖x‖² + ‖c‖² − 2x·c: exact near the centres,
  // where the expanded form cancels catastrophically.
  const Tensor diff = x.unsqueeze(-2) - centres;
  const Tensor sq_dist = sum(diff * diff, -1);
  const Tensor inv_two_var = exp(log_sigma * -2.0) * 0.5;  // 1 / (2σ²)
  return exp(-(sq_dist * inv_two_var));
}

std::string RBF::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) +
         ", out_features=" + std::to_string(out_features_);
}

}  // namespace nabla::nn
