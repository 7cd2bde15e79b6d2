// Adam and AdamW, torch.optim.Adam / AdamW (1.13). With t counting updates from 1:
//   Adam:  g = ∇ + wd·p (coupled L2);           AdamW: p *= 1 − lr·wd (decoupled), g = ∇
//   m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  amsgrad: v̂ = max(v̂, v), else v̂ = v
//   p -= lr/(1−β₁ᵗ) · m / (√v̂/√(1−β₂ᵗ) + eps)
// Group options are "lr", "beta1", "beta2", "eps", "weight_decay", "amsgrad", "maximize".
#pragma once
#pragma GCC visibility push(default)

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
  Options to_map() const;
};

// AdamW's options: Adam's, with torch's different default weight_decay = 1e-2. A separate
// aggregate so designated initialisers keep that default.
struct AdamWOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
  AdamOptions as_adam() const { return {lr, beta1, beta2, eps, weight_decay, amsgrad, maximize}; }
};

class Adam : public Optimizer {
 public:
  Adam(std::vector<Tensor> params, AdamOptions options = {});
  Adam(std::vector<ParamGroup> groups, AdamOptions defaults);
  using Optimizer::step;
  void step() override;

 protected:
  Adam(std::string name, std::vector<ParamGroup> groups, AdamOptions defaults, bool decoupled);
  void validate(const Options& options) const override;

 private:
  bool decoupled_ = false;
};

class AdamW : public Adam {
 public:
  AdamW(std::vector<Tensor> params, AdamWOptions options = {});
  AdamW(std::vector<ParamGroup> groups, AdamWOptions defaults);
};

}  // namespace nabla::optim

#pragma GCC visibility pop
