// RMSprop, torch.optim.RMSprop (1.13): g = ∇ + wd·p;  v = αv + (1−α)g²;
// centered: m = αm + (1−α)g, avg = √(v − m²) + eps, else avg = √v + eps;
// momentum: b = μb + g/avg, p -= lr·b; otherwise p -= lr·g/avg.
#pragma once
#pragma GCC visibility push(default)

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;
  Options to_map() const;
};

class RMSprop : public Optimizer {
 public:
  RMSprop(std::vector<Tensor> params, RMSpropOptions options = {});
  RMSprop(std::vector<ParamGroup> groups, RMSpropOptions defaults);
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const Options& options) const override;
};

}  // namespace nabla::optim

#pragma GCC visibility pop
