// The autograd engine: the notes' worked examples, gradient accumulation, graph lifetime and
// the errors that protect against wrong gradients.
#include <cmath>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;

namespace {
Tensor scalar64(double v, bool requires_grad = true) {
  return full({}, v, {.dtype = DType::f64, .requires_grad = requires_grad});
}
}  // namespace

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

TEST(Engine, NotesSigmoidNeuron) {
  // f(w, x) = σ(w0·x0 + w1·x1 + w2) with w = (2, -3, -3), x = (-1, -2): the dot product is 1,
  // f = σ(1) ≈ 0.73, and df/dz = σ(1)(1 - σ(1)) ≈ 0.20 flows to w as x and to x as w.
  Tensor w = from_vector<double>({2.0, -3.0, -3.0}, {3}, true);
  Tensor x = from_vector<double>({-1.0, -2.0}, {2}, true);
  Tensor z = w.slice(0, 0, 1) * x.slice(0, 0, 1) + w.slice(0, 1, 2) * x.slice(0, 1, 2) +
             w.slice(0, 2, 3);
  Tensor f = sigmoid(z).sum();
  const double s = 1.0 / (1.0 + std::exp(-1.0));
  EXPECT_DOUBLE_EQ(f.item(), s);
  f.backward();
  const double dz = s * (1 - s);
  const std::vector<double> dw = w.grad().to_vector<double>(), dx = x.grad().to_vector<double>();
  EXPECT_DOUBLE_EQ(dw[0], -1.0 * dz);
  EXPECT_DOUBLE_EQ(dw[1], -2.0 * dz);
  EXPECT_DOUBLE_EQ(dw[2], 1.0 * dz);
  EXPECT_DOUBLE_EQ(dx[0], 2.0 * dz);
  EXPECT_DOUBLE_EQ(dx[1], -3.0 * dz);
  EXPECT_NEAR(dw[0], -0.20, 0.01);  // the notes' rounded numbers
  EXPECT_NEAR(dx[1], -0.59, 0.01);
}

TEST(Engine, CopyGateAddsGradients) {
  // x feeds two branches: the gradients add, d(x*x + 3x)/dx = 2x + 3.
  Tensor x = scalar64(1.5);
  Tensor f = x * x + x * 3.0;
  f.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 6.0);
}

TEST(Engine, LeafGradientsAccumulateAcrossBackwardCalls) {
  Tensor x = scalar64(2.0);
  (x * x).backward();
  (x * 5.0).backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 9.0);  // 2x + 5, as torch without zero_grad
  x.set_grad({});
  EXPECT_FALSE(x.grad().defined());
}

TEST(Engine, NonScalarBackwardTakesASeed) {
  Tensor x = from_vector<double>({1.0, 2.0, 3.0}, {3}, true);
  Tensor y = x * x;
  EXPECT_TRUE(throws_error_containing([&] { y.backward(); },
                                      {"backward", "[3]", "ones_like"}));
  y.backward(from_vector<double>({1.0, 0.0, 2.0}));
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2.0, 0.0, 12.0}));
  EXPECT_TRUE(throws_error_containing([&] { (x * 2.0).backward(ones({2}, {.dtype = DType::f64})); },
                                      {"backward", "[2]", "[3]"}));
}

TEST(Engine, BackwardWithoutGradIsAnError) {
  Tensor x = scalar64(1.0, false);
  EXPECT_TRUE(throws_error_containing([&] { (x * 2.0).backward(); },
                                      {"does not require grad", "requires_grad_()"}));
}

TEST(Engine, SecondBackwardNeedsRetainGraph) {
  Tensor x = scalar64(3.0);
  Tensor y = exp(x) * x;
  y.backward({}, /*retain_graph=*/true);
  const double first = x.grad().item();
  y.backward();
  EXPECT_DOUBLE_EQ(x.grad().item(), 2 * first);
  EXPECT_TRUE(throws_error_containing([&] { y.backward(); }, {"retain_graph"}));
}

TEST(Engine, NoGradGuardRecordsNothing) {
  Tensor x = scalar64(1.0);
  {
    autograd::NoGradGuard guard;
    EXPECT_FALSE(autograd::grad_enabled());
    Tensor y = x * 2.0;
    EXPECT_FALSE(y.requires_grad());
    EXPECT_TRUE(y.is_leaf());
  }
  EXPECT_TRUE(autograd::grad_enabled());
  EXPECT_TRUE((x * 2.0).requires_grad());
}

TEST(Engine, DetachSharesStorageWithoutHistory) {
  Tensor x = from_vector<double>({1.0, 2.0}, {2}, true);
  Tensor y = x * 2.0;
  Tensor d = y.detach();
  EXPECT_FALSE(d.requires_grad());
  EXPECT_EQ(d.data_ptr(), y.data_ptr());
  Tensor z = (d * x).sum();  // gradient reaches x only through the second factor
  z.backward();
  EXPECT_EQ(x.grad().to_vector<double>(), (std::vector<double>{2.0, 4.0}));
}

TEST(Engine, InPlaceChangeOfSavedTensorIsCaught) {
  Tensor a = from_vector<double>({1.0, 2.0}, {2});        // no grad: in-place is allowed
  Tensor w = from_vector<double>({3.0, 4.0}, {2}, true);
  Tensor y = (a * w).sum();                               // mul saves a for dw
  a.add_(ones({2}, {.dtype = DType::f64}));
  EXPECT_TRUE(throws_error_containing([&] { y.backward(); },
                                      {"mul", "modified in place", "[2]"}));
}

TEST(Engine, InPlaceThroughAViewIsCaughtToo) {
  Tensor a = from_vector<double>({1.0, 2.0, 3.0, 4.0}, {2, 2});
  Tensor w = ones({2, 2}, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = (a * w).sum();
  a.slice(0, 0, 1).fill_(0.0);  // another handle on the same storage
  EXPECT_TRUE(throws_error_containing([&] { y.backward(); }, {"modified in place"}));
}

TEST(Engine, InPlaceOnATensorThatRequiresGradIsRefused) {
  Tensor w = ones({2}, {.dtype = DType::f64, .requires_grad = true});
  EXPECT_TRUE(throws_error_containing([&] { w.mul_(2.0); }, {"mul_", "requires grad", "NoGradGuard"}));
  {
    autograd::NoGradGuard guard;  // how an optimizer updates parameters
    w.mul_(2.0);
  }
  EXPECT_EQ(w.to_vector<double>(), (std::vector<double>{2.0, 2.0}));
}

TEST(Engine, RequiresGradOnlyOnLeaves) {
  Tensor x = scalar64(1.0);
  Tensor y = x * 2.0;
  EXPECT_TRUE(throws_error_containing([&] { y.requires_grad_(false); }, {"leaf", "mul"}));
  Tensor i = from_vector<int64_t>({1, 2});
  EXPECT_TRUE(throws_error_containing([&] { i.requires_grad_(); }, {"floating", "int64"}));
}

TEST(Engine, ABranchThatGetsNoGradientDoesNotStallTheRest) {
  // `second_only` passes no gradient to its first input, so the node of b = a * 2 receives
  // nothing; a must still get the gradient that reaches it directly.
  Tensor a = from_vector<double>({1.0, 2.0}, {2}, true);
  Tensor b = a * 2.0;
  Tensor c = (b + a).detach();
  autograd::record("second_only", {b, a}, c, [](const Tensor& g, const autograd::GradMask&) {
    return autograd::Grads{Tensor(), g};
  });
  c.sum().backward();
  EXPECT_EQ(a.grad().to_vector<double>(), (std::vector<double>{1.0, 1.0}));
}

TEST(Engine, GradientCastToTheInputsDtype) {
  Tensor a = ones({2}, {.dtype = DType::f32, .requires_grad = true});
  Tensor b = ones({2}, {.dtype = DType::f64, .requires_grad = true});
  Tensor y = (a * b).sum();
  EXPECT_EQ(y.dtype(), DType::f64);
  y.backward();
  EXPECT_EQ(a.grad().dtype(), DType::f32);
  EXPECT_EQ(b.grad().dtype(), DType::f64);
}
