#include "nabla/nn/dropout2d.hpp"

#include "nabla/nn/functional/norm.hpp"
#include "nabla/nn/norm.hpp"

namespace nabla::nn {

Dropout2d::Dropout2d(double p) : Module("Dropout2d"), p_(p) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, "Dropout2d: p must be in [0, 1], got ", p);
}

Tensor Dropout2d::forward(const Tensor& x) { return functional::dropout2d(x, p_, is_training()); }

std::string Dropout2d::extra_repr() const { return "p=" + python_float(p_) + ", inplace=False"; }

}  // namespace nabla::nn
