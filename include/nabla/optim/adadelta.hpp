// Adadelta, torch.optim.Adadelta (1.13): g = ∇ + wd·p;  v = ρv + (1−ρ)g²;
// Δ = √(u + eps)/√(v + eps) · g;  u = ρu + (1−ρ)Δ²;  p -= lr·Δ.
#pragma once
#pragma GCC visibility push(default)

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

struct AdadeltaOptions {
  double lr = 1.0;
  double rho = 0.9;
  double eps = 1e-6;
  double weight_decay = 0.0;
  bool maximize = false;
  Options to_map() const;
};

class Adadelta : public Optimizer {
 public:
  Adadelta(std::vector<Tensor> params, AdadeltaOptions options = {});
  Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions defaults);
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const Options& options) const override;
};

}  // namespace nabla::optim

#pragma GCC visibility pop
