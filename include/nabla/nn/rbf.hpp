// Radial basis function layer: Gaussian units
//   y_j = exp(−‖x − c_j‖² / (2σ_j²)),   σ_j = exp(log_sigma_j)
// with learnable centres c [out_features, in_features] and log-widths log_sigma [out_features].
// Learning log σ keeps every width positive without a constraint and makes the step size
// relative to the width. Init: centres ~ N(0, 1), log_sigma = 0 (σ = 1).
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/module.hpp"

namespace nabla::nn {

class RBF : public Module {
 public:
  RBF(int64_t in_features, int64_t out_features, DType dtype = DType::f32);
  Tensor forward(const Tensor& x) override;  // [..., in] -> [..., out]
  void reset_parameters();

  Tensor centres, log_sigma;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t in_features_, out_features_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
