// Dropout2d (torch.nn.Dropout2d): in training, zeroes whole channels of [N, C, H, W] (or of
// [N, C, L]: torch 1.13 reads 3-D input as batched 1-D, not as an unbatched [C, H, W]) with
// probability p and scales the rest by 1/(1 − p); eval is the identity.
// Adjacent pixels of a feature map are strongly correlated, so dropping single activations
// barely regularises a conv layer; dropping the channel does (Tompson et al., 2015).
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/module.hpp"

namespace nabla::nn {

class Dropout2d : public Module {
 public:
  explicit Dropout2d(double p = 0.5);
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  double p_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
