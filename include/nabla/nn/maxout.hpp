// Maxout (Goodfellow et al. 2013): k linear pieces per output unit, the unit takes their max.
//   y_j = max_{i < k} (x W_{j,i}ᵀ + b_{j,i}),  W as one [out·k, in] weight, row j·k + i,
// so the parameters are `weight` [out_features·pieces, in_features] and `bias`
// [out_features·pieces], initialised as torch's Linear. With k = 2 and one piece fixed at 0 it
// is a ReLU; with one at slope a, a leaky ReLU (the notes' generalisation).
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/module.hpp"

namespace nabla::nn {

class Maxout : public Module {
 public:
  Maxout(int64_t in_features, int64_t out_features, int64_t pieces, DType dtype = DType::f32);
  Tensor forward(const Tensor& x) override;  // [..., in] -> [..., out]
  void reset_parameters();

  Tensor weight, bias;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t in_features_, out_features_, pieces_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
