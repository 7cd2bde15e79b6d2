#include "nabla/nn/dropout.hpp"

#include <sstream>

#include "nabla/nn/functional/activation.hpp"

namespace nabla::nn {

Dropout::Dropout(double p) : Module("Dropout"), p_(p) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, "Dropout: probability p must be in [0, 1], got ", p);
}

Tensor Dropout::forward(const Tensor& x) { return functional::dropout(x, p_, is_training()); }

std::string Dropout::extra_repr() const {
  std::ostringstream out;
  out << "p=" << p_ << ", inplace=False";
  return out.str();
}

}  // namespace nabla::nn
