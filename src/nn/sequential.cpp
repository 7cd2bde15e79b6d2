#include "nabla/nn/container.hpp"

namespace nabla::nn {

Sequential::Sequential() : Module("Sequential") {}

Sequential::Sequential(std::initializer_list<std::shared_ptr<Module>> modules) : Sequential() {
  for (const auto& m : modules) push_back(m);
}

Sequential& Sequential::push_back(std::shared_ptr<Module> module) {
  modules_.push_back(register_module(std::to_string(modules_.size()), std::move(module)));
  return *this;
}

Tensor Sequential::forward(const Tensor& x) {
  Tensor out = x;
  for (const auto& m : modules_) out = (*m)(out);  // through operator(), so hooks see it
  return out;
}

std::shared_ptr<Module> Sequential::operator[](size_t i) const {
  NABLA_CHECK(i < modules_.size(), "Sequential: index ", i, " is out of range for ",
              modules_.size(), " modules");
  return modules_[i];
}

}  // namespace nabla::nn
