#include <gtest/gtest.h>

#include "nabla/nabla.hpp"

using namespace nabla;

TEST(Engine, NotesWorkedExample) {
  // f(x, y, z) = (x + y) * z at (-2, 5, -4): df/dx = df/dy = z = -4, df/dz = x + y = 3.
  Tensor x = full({}, -2.0, {.requires_grad = true});
  Tensor y = full({}, 5.0, {.requires_grad = true});
  Tensor z = full({}, -4.0, {.requires_grad = true});
  Tensor f = (x + y) * z;
  EXPECT_EQ(f.item(), -12.0);
  f.backward();
  EXPECT_EQ(x.grad().item(), -4.0);
  EXPECT_EQ(y.grad().item(), -4.0);
  EXPECT_EQ(z.grad().item(), 3.0);
}
