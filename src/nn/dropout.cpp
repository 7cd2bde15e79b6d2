#include "nabla/nn/dropout.hpp"

#include "nabla/nn/functional/activation.hpp"
#include "nn/dropout_mask.hpp"
#include "nn/repr.hpp"

namespace nabla::nn {

Dropout::Dropout(double p) : Module("Dropout"), p_(p) {
  check_dropout_probability("Dropout", p);
}

Tensor Dropout::forward(const Tensor& x) { return functional::dropout(x, p_, is_training()); }

std::string Dropout::extra_repr() const {
  return "p=" + python_float(p_) + ", inplace=False";
}

}  // namespace nabla::nn
