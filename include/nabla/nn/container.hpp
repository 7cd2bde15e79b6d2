// Containers. Sequential chains its children in order; they are named "0", "1", ... so state
// dicts match torch.nn.Sequential's ("0.weight", "2.bias").
#pragma once
#pragma GCC visibility push(default)

#include <initializer_list>

#include "nabla/nn/module.hpp"

namespace nabla::nn {

class Sequential : public Module {
 public:
  Sequential();
  Sequential(std::initializer_list<std::shared_ptr<Module>> modules);
  Sequential& push_back(std::shared_ptr<Module> module);
  Tensor forward(const Tensor& x) override;
  size_t size() const { return modules_.size(); }
  std::shared_ptr<Module> operator[](size_t i) const;

 private:
  std::vector<std::shared_ptr<Module>> modules_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
