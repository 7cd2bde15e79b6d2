#include "nabla/nn/dropout2d.hpp"

#include "nabla/nn/functional/norm.hpp"
#include "nn/dropout_mask.hpp"
#include "nn/repr.hpp"

namespace nabla::nn {

Dropout2d::Dropout2d(double p) : Module("Dropout2d"), p_(p) {
  check_dropout_probability("Dropout2d", p);
}

Tensor Dropout2d::forward(const Tensor& x) { return functional::dropout2d(x, p_, is_training()); }

std::string Dropout2d::extra_repr() const { return "p=" + python_float(p_) + ", inplace=False"; }

}  // namespace nabla::nn
