// Helpers shared by the optimizer tests: the fixtures' regression problem and an optimizer
// factory by torch class name.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "nabla/nabla.hpp"
#include "nabla/optim/adadelta.hpp"
#include "nabla/optim/adagrad.hpp"
#include "nabla/optim/adam.hpp"
#include "nabla/optim/rmsprop.hpp"
#include "nabla/optim/sgd.hpp"
#include "support/fixtures.hpp"

namespace nabla::testing {

// mean((X @ w.T + b - Y)^2), the problem every optim.json case trains.
inline Tensor regression_loss(const Tensor& w, const Tensor& b, const Tensor& x,
                              const Tensor& y) {
  return mean(pow(matmul(x, w.t()) + b - y, 2.0));
}

// The optimizer named like torch's class, each group taking every option in `groups`.
inline std::unique_ptr<optim::Optimizer> make_optimizer(const std::string& name,
                                                        std::vector<optim::ParamGroup> groups) {
  using namespace optim;
  if (name == "SGD") return std::make_unique<SGD>(std::move(groups), SGDOptions{});
  if (name == "Adagrad") return std::make_unique<Adagrad>(std::move(groups), AdagradOptions{});
  if (name == "Adadelta") return std::make_unique<Adadelta>(std::move(groups), AdadeltaOptions{});
  if (name == "RMSprop") return std::make_unique<RMSprop>(std::move(groups), RMSpropOptions{});
  if (name == "Adam") return std::make_unique<Adam>(std::move(groups), AdamOptions{});
  if (name == "AdamW") return std::make_unique<AdamW>(std::move(groups), AdamWOptions{});
  return nullptr;
}

// A fixture case's options as a map: the case defaults overlaid by one group's overrides.
inline optim::Options options_of(const nlohmann::json& defaults, const nlohmann::json& group) {
  optim::Options out;
  for (const auto& [key, value] : defaults.items()) out[key] = value.get<double>();
  for (const auto& [key, value] : group.items()) out[key] = value.get<double>();
  return out;
}

}  // namespace nabla::testing
