// Dropout (torch.nn.Dropout): inverted dropout. In training mode each element is zeroed with
// probability p and the survivors scaled by 1/(1 − p), so the expected activation is unchanged
// and eval mode is the identity (no rescaling at test time, the notes' "inverted" form).
// p must lie in [0, 1]; p = 1 zeroes everything, as torch. Masks come from the global Philox
// generator, so manual_seed fixes them.
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/module.hpp"

namespace nabla::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p = 0.5);
  Tensor forward(const Tensor& x) override;
  double p() const { return p_; }

 protected:
  std::string extra_repr() const override;

 private:
  double p_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
