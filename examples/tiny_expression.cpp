// The README's first program: build f(x, y, z) = (x + y) * z and print its gradients.
#include <iostream>

#include "nabla/nabla.hpp"

int main() {
  using namespace nabla::prelude;
  Tensor x = full({}, -2.0, {.requires_grad = true});
  Tensor y = full({}, 5.0, {.requires_grad = true});
  Tensor z = full({}, -4.0, {.requires_grad = true});
  Tensor f = (x + y) * z;  // the classic worked example of backpropagation
  f.backward();
  std::cout << "f = " << f.item() << "\n"
            << "df/dx = " << x.grad().item() << ", df/dy = " << y.grad().item()
            << ", df/dz = " << z.grad().item() << "\n";
}
