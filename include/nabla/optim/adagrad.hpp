// Adagrad, torch.optim.Adagrad (1.13): g = ∇ + wd·p;  s += g²;
// p -= lr/(1 + (t−1)·lr_decay) · g / (√s + eps).
#pragma once
#pragma GCC visibility push(default)

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
  bool maximize = false;
  Options to_map() const;
};

class Adagrad : public Optimizer {
 public:
  Adagrad(std::vector<Tensor> params, AdagradOptions options = {});
  Adagrad(std::vector<ParamGroup> groups, AdagradOptions defaults);
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const Options& options) const override;
};

}  // namespace nabla::optim

#pragma GCC visibility pop
