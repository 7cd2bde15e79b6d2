// Stochastic gradient descent with momentum, dampening, Nesterov and coupled weight decay,
// torch.optim.SGD (1.13):  g = ∇ + wd·p;  b = μb + (1−τ)g (b = g on the first step);
// d = g + μb (nesterov) or b;  p -= lr·d.
//
//   optim::SGD sgd(model.parameters(), {.lr = 0.1, .momentum = 0.9, .nesterov = true});
#pragma once
#pragma GCC visibility push(default)

#include <cmath>
#include <limits>

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

// lr has no default in torch; leaving it unset is an error naming the fix.
inline constexpr double kRequired = std::numeric_limits<double>::quiet_NaN();

struct SGDOptions {
  double lr = kRequired;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
  Options to_map() const;
};

class SGD : public Optimizer {
 public:
  SGD(std::vector<Tensor> params, SGDOptions options);
  SGD(std::vector<ParamGroup> groups, SGDOptions defaults);
  using Optimizer::step;
  void step() override;

 protected:
  void validate(const Options& options) const override;
};

}  // namespace nabla::optim

#pragma GCC visibility pop
