// Comparisons, where, allclose and equal (src/ops/compare.cpp): bool results without history,
// broadcasting, where's gradients, and argument errors.
#include <cmath>

#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

Tensor b8(const std::vector<bool>& values, const Shape& shape) { return from_vector(values, shape); }

// Bool tensors compared element by element (all_close converts through double).
::testing::AssertionResult same_bools(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != DType::b8)
    return ::testing::AssertionFailure() << "dtype " << actual.dtype() << ", expected bool";
  if (actual.shape() != expected.shape())
    return ::testing::AssertionFailure() << "shape " << ::testing::PrintToString(actual.shape());
  if (actual.to_vector<bool>() != expected.to_vector<bool>())
    return ::testing::AssertionFailure() << "values differ: " << actual;
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(Compare, HandExamplesWithBroadcasting) {
  const Tensor a = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor row = f64({2, 2, 6}, {3});
  EXPECT_TRUE(same_bools(eq(a, row), b8({0, 1, 0, 0, 0, 1}, {2, 3})));
  EXPECT_TRUE(same_bools(ne(a, row), b8({1, 0, 1, 1, 1, 0}, {2, 3})));
  EXPECT_TRUE(same_bools(lt(a, row), b8({1, 0, 1, 0, 0, 0}, {2, 3})));
  EXPECT_TRUE(same_bools(le(a, row), b8({1, 1, 1, 0, 0, 1}, {2, 3})));
  EXPECT_TRUE(same_bools(gt(a, row), b8({0, 0, 0, 1, 1, 0}, {2, 3})));
  EXPECT_TRUE(same_bools(ge(a, row), b8({0, 1, 0, 1, 1, 1}, {2, 3})));
  // [2, 1] against [3] broadcasts to [2, 3]; a 0-d scalar against anything.
  const Tensor col = f64({2, 5}, {2, 1});
  EXPECT_TRUE(same_bools(gt(col, f64({1, 2, 3}, {3})), b8({1, 0, 0, 1, 1, 1}, {2, 3})));
  EXPECT_TRUE(same_bools(ge(a, scalar_tensor(4.0, {.dtype = DType::f64})), b8({0, 0, 0, 1, 1, 1}, {2, 3})));
}

TEST(Compare, WhereDtypeClashNamesOpAndShapes) {
  const Tensor a = zeros({2, 3}), ints = zeros({2, 3}, {.dtype = DType::i64});
  EXPECT_TRUE(throws_error_containing([&] { where(gt(a, a), a, ints); },
                                      {"where: cannot combine", "int64", "[2, 3]"}));
}

TEST(Compare, NanComparesUnequalToEverything) {
  const Tensor x = f64({NAN, 1}, {2});
  EXPECT_TRUE(same_bools(eq(x, x), b8({0, 1}, {2})));
  EXPECT_TRUE(same_bools(ne(x, x), b8({1, 0}, {2})));
  EXPECT_TRUE(same_bools(lt(x, f64({INFINITY, 2}, {2})), b8({0, 1}, {2})));
}

TEST(Compare, ResultsAreBoolWithoutGradient) {
  manual_seed(21);
  const Tensor a = randn64({3, 4}), b = randn64({4});
  for (const Tensor& r : {eq(a, b), ne(a, b), lt(a, b), le(a, b), gt(a, b), ge(a, b)}) {
    EXPECT_EQ(r.dtype(), DType::b8);
    EXPECT_EQ(r.shape(), Shape({3, 4}));
    EXPECT_FALSE(r.requires_grad());
    EXPECT_EQ(r.grad_fn(), nullptr);
  }
}

TEST(Compare, MixedFloatDtypesAndIndices) {
  // f32 against f64 compares in f64: 0.1f is not the double 0.1.
  const Tensor a = from_vector(std::vector<float>{0.1f, 0.5f});
  EXPECT_TRUE(same_bools(eq(a, f64({0.1, 0.5}, {2})), b8({0, 1}, {2})));
  // int64 indices compare with each other (accuracy = eq(argmax, labels)).
  const Tensor i = from_vector(std::vector<int64_t>{0, 2, 1});
  EXPECT_TRUE(same_bools(eq(i, from_vector(std::vector<int64_t>{0, 1, 1})), b8({1, 0, 1}, {3})));
}

TEST(Compare, WhereForwardBroadcasts) {
  const Tensor c = b8({1, 0}, {2, 1});
  const Tensor a = f64({1, 2, 3}, {3});
  const Tensor b = scalar_tensor(-1.0, {.dtype = DType::f64});
  EXPECT_TRUE(all_close(where(c, a, b), f64({1, 2, 3, -1, -1, -1}, {2, 3})));
  EXPECT_EQ(where(c, a.to(DType::f32), b).dtype(), DType::f64);
}

TEST(Compare, GradcheckWhereBroadcast) {
  manual_seed(22);
  const Tensor c34 = gt(randn({3, 4}), scalar_tensor(0.0));
  const Tensor c31 = b8({1, 0, 1}, {3, 1});
  auto fn = [](const Tensor& c) {
    return [c](const std::vector<Tensor>& in) { return where(c, in[0], in[1]); };
  };
  EXPECT_TRUE(gradcheck_passes(fn(c34), {randn64({3, 4}), randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(fn(c34), {randn64({4}), randn64({3, 1})}));
  EXPECT_TRUE(gradcheck_passes(fn(c31), {randn64({1, 4}), randn64({})}));
  EXPECT_TRUE(gradcheck_passes(fn(c34), {strided_leaf(randn64({3, 4})), transposed_leaf(randn64({3, 4}))}));
  // Only one side requires grad.
  EXPECT_TRUE(gradcheck_passes(fn(c34), {randn64({3, 4}), randn64({3, 4}, false)}));
}

TEST(Compare, WhereGradientGoesToTheChosenSide) {
  const Tensor c = b8({1, 0, 1}, {3});
  const Tensor a = f64({1, 2, 3}, {3}, true);
  const Tensor b = f64({4}, {1}, true);  // broadcast: collects the gradient of every false slot
  sum(where(c, a, b) * f64({1, 10, 100}, {3})).backward();
  EXPECT_TRUE(all_close(a.grad(), f64({1, 0, 100}, {3})));
  EXPECT_TRUE(all_close(b.grad(), f64({10}, {1})));
}

TEST(Compare, WhereErrorsNameOpAndShapes) {
  const Tensor a = zeros({2, 3}), b = zeros({4});
  EXPECT_TRUE(throws_error_containing([&] { where(a, a, a); }, {"where", "bool", "float32"}));
  EXPECT_TRUE(throws_error_containing([&] { where(gt(a, a), a, b); }, {"where", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_error_containing([&] { where(gt(b, b), a, a); }, {"where", "[4]", "[2, 3]"}));
}

TEST(Compare, ComparisonShapeMismatchNamesOpAndShapes) {
  const Tensor a = zeros({2, 3}), b = zeros({2});
  EXPECT_TRUE(throws_error_containing([&] { lt(a, b); }, {"lt", "[2, 3]", "[2]"}));
  EXPECT_TRUE(throws_error_containing([&] { eq(b, a); }, {"eq", "[2]", "[2, 3]"}));
}

TEST(Compare, EqualIsBitwiseAndShapeAware) {
  const Tensor a = f64({1, 2, 3, 4}, {2, 2});
  EXPECT_TRUE(equal(a, a.clone()));
  EXPECT_TRUE(equal(a.t(), f64({1, 3, 2, 4}, {2, 2})));  // compares values, not layouts
  EXPECT_FALSE(equal(a, a.reshape({4})));
  EXPECT_FALSE(equal(a, a.to(DType::f32)));
  EXPECT_FALSE(equal(a, a + 1e-15));
  EXPECT_FALSE(equal(f64({0.0}, {1}), f64({-0.0}, {1})));  // bitwise, so -0 differs from 0
}

TEST(Compare, AllcloseUsesRelativeAndAbsoluteTolerance) {
  const Tensor a = f64({1, 1000}, {2});
  EXPECT_TRUE(allclose(a, a + 1e-9));
  EXPECT_TRUE(allclose(a, f64({1, 1000.005}, {2})));   // within rtol * 1000
  EXPECT_FALSE(allclose(a, f64({1, 1000.02}, {2})));
  EXPECT_TRUE(allclose(a, f64({1.05, 1000}, {2}), 0, 0.1));
  EXPECT_FALSE(allclose(f64({NAN}, {1}), f64({NAN}, {1})));  // nan is not close to nan (torch)
}
