// Skip connections and parallel branches.
//   Residual:  y = act(body(x) + shortcut(x)); the shortcut is the identity unless given
//              (e.g. a 1x1 Conv2d + BatchNorm2d Sequential when the body changes shape), act
//              the identity unless given. Children are named "body", then "shortcut" and
//              "activation" when present, so a torchvision BasicBlock (conv1, bn1, relu, conv2,
//              bn2, downsample, final relu) is Residual(Sequential{conv1, bn1, relu, conv2,
//              bn2}, Sequential{conv 1x1, bn}, ReLU) with state-dict keys body.0.weight,
//              body.1.running_mean, ..., body.4.bias, shortcut.0.weight, shortcut.1.bias.
//   Concat:    runs every branch on the same input and concatenates the results along dim 1
//              (channels), as an Inception block. Branches are named "0", "1", ...
//
//   auto body = std::make_shared<nn::Sequential>();
//   body->push_back(conv1).push_back(bn1).push_back(relu).push_back(conv2).push_back(bn2);
//   auto block = std::make_shared<nn::Residual>(body, downsample, std::make_shared<nn::ReLU>());
#pragma once
#pragma GCC visibility push(default)

#include <initializer_list>

#include "nabla/nn/module.hpp"

namespace nabla::nn {

class Residual : public Module {
 public:
  explicit Residual(std::shared_ptr<Module> body, std::shared_ptr<Module> shortcut = nullptr,
                    std::shared_ptr<Module> activation = nullptr);
  Tensor forward(const Tensor& x) override;

 private:
  std::shared_ptr<Module> body_, shortcut_, activation_;
};

class Concat : public Module {
 public:
  Concat(std::initializer_list<std::shared_ptr<Module>> branches);
  explicit Concat(const std::vector<std::shared_ptr<Module>>& branches);
  Tensor forward(const Tensor& x) override;

 private:
  std::vector<std::shared_ptr<Module>> branches_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
