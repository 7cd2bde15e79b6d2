#include "nabla/nn/residual.hpp"

#include "nabla/ops.hpp"

namespace nabla::nn {

Residual::Residual(std::shared_ptr<Module> body, std::shared_ptr<Module> shortcut,
                   std::shared_ptr<Module> activation)
    : Module("Residual") {
  NABLA_CHECK(body != nullptr, "Residual: the body module is null");
  body_ = register_module("body", std::move(body));
  if (shortcut) shortcut_ = register_module("shortcut", std::move(shortcut));
  if (activation) activation_ = register_module("activation", std::move(activation));
}

Tensor Residual::forward(const Tensor& x) {
  const Tensor fx = (*body_)(x);
  const Tensor skip = shortcut_ ? (*shortcut_)(x) : x;
  NABLA_CHECK(fx.shape() == skip.shape(), "Residual: the body's output of shape ", fx.shape(),
              " does not match the shortcut's of shape ", skip.shape(), " (input of shape ",
              x.shape(),
              "); give a shortcut module that maps the input to the body's shape, e.g. a 1x1 "
              "Conv2d with the body's stride");
  const Tensor y = fx + skip;
  return activation_ ? (*activation_)(y) : y;
}

Concat::Concat(std::initializer_list<std::shared_ptr<Module>> branches)
    : Concat(std::vector<std::shared_ptr<Module>>(branches)) {}

Concat::Concat(const std::vector<std::shared_ptr<Module>>& branches) : Module("Concat") {
  NABLA_CHECK(!branches.empty(), "Concat: needs at least one branch");
  for (const auto& b : branches) {
    NABLA_CHECK(b != nullptr, "Concat: branch ", branches_.size(), " is null");
    branches_.push_back(register_module(std::to_string(branches_.size()), b));
  }
}

Tensor Concat::forward(const Tensor& x) {
  std::vector<Tensor> outputs;
  outputs.reserve(branches_.size());
  for (const auto& b : branches_) outputs.push_back((*b)(x));
  for (size_t i = 1; i < outputs.size(); ++i) {
    const Shape& a = outputs[0].shape();
    const Shape& b = outputs[i].shape();
    bool fits = a.size() == b.size() && a.size() >= 2;
    for (size_t d = 0; fits && d < a.size(); ++d) fits = d == 1 || a[d] == b[d];
    NABLA_CHECK(fits, "Concat: branch ", i, " gives shape ", b, " but branch 0 gives ", a,
                "; branches must agree on every dim except 1 (channels)");
  }
  return cat(outputs, 1);
}

}  // namespace nabla::nn
