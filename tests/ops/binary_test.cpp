// Elementwise binary ops (src/ops/binary.cpp): gradients under broadcasting and strided
// layouts, forward values by hand and against a naive loop, promotion, and shape errors.
#include <cmath>

#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

// Each binary op under the broadcast patterns every op must handle: a row vector, an outer
// product of a column and a row, and a 0-d scalar on either side.
void expect_gradcheck_broadcasting(const autograd::GradcheckFn& fn, bool positive_b) {
  auto rhs = [positive_b](const Shape& s) { return positive_b ? positive64(s) : randn64(s); };
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({3, 4}), rhs({3, 4})})) << "same shape";
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({3, 4}), rhs({4})})) << "[3, 4] with [4]";
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({3, 1}), rhs({1, 4})})) << "[3, 1] with [1, 4]";
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3}), rhs({})})) << "[2, 3] with 0-d";
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({}), rhs({2, 3})})) << "0-d with [2, 3]";
}

}  // namespace

TEST(Binary, GradcheckAddBroadcast) {
  manual_seed(1);
  expect_gradcheck_broadcasting([](const std::vector<Tensor>& in) { return add(in[0], in[1]); }, false);
}

TEST(Binary, GradcheckSubBroadcast) {
  manual_seed(2);
  expect_gradcheck_broadcasting([](const std::vector<Tensor>& in) { return sub(in[0], in[1]); }, false);
}

TEST(Binary, GradcheckMulBroadcast) {
  manual_seed(3);
  expect_gradcheck_broadcasting([](const std::vector<Tensor>& in) { return mul(in[0], in[1]); }, false);
}

TEST(Binary, GradcheckDivBroadcast) {
  manual_seed(4);
  expect_gradcheck_broadcasting([](const std::vector<Tensor>& in) { return div(in[0], in[1]); }, true);
}

TEST(Binary, GradcheckMaximumMinimumBroadcast) {
  manual_seed(5);
  // Continuous random values never tie, so both ops are differentiable at the check points.
  expect_gradcheck_broadcasting([](const std::vector<Tensor>& in) { return maximum(in[0], in[1]); }, false);
  expect_gradcheck_broadcasting([](const std::vector<Tensor>& in) { return minimum(in[0], in[1]); }, false);
}

TEST(Binary, GradcheckPowTensorExponent) {
  manual_seed(6);
  // The base stays positive: d/db a^b = a^b log a needs log a.
  auto fn = [](const std::vector<Tensor>& in) { return pow(in[0], in[1]); };
  EXPECT_TRUE(gradcheck_passes(fn, {positive64({3, 4}), randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(fn, {positive64({3, 4}), randn64({4})}));
  EXPECT_TRUE(gradcheck_passes(fn, {positive64({3, 1}), randn64({1, 4})}));
  EXPECT_TRUE(gradcheck_passes(fn, {positive64({2, 3}), randn64({})}));
}

TEST(Binary, GradcheckNonContiguousInputs) {
  manual_seed(7);
  const Tensor a = randn64({3, 4}, false), b = away_from_zero64({3, 4}, false);
  for (auto fn : {+[](const std::vector<Tensor>& in) { return add(in[0], in[1]); },
                  +[](const std::vector<Tensor>& in) { return mul(in[0], in[1]); },
                  +[](const std::vector<Tensor>& in) { return div(in[0], in[1]); },
                  +[](const std::vector<Tensor>& in) { return maximum(in[0], in[1]); }}) {
    EXPECT_TRUE(gradcheck_passes(fn, {strided_leaf(a), transposed_leaf(b)}));
    EXPECT_TRUE(gradcheck_passes(fn, {transposed_leaf(a), strided_leaf(b)}));
  }
}

TEST(Binary, GradcheckScalarOperators) {
  manual_seed(8);
  auto fn = [](const std::vector<Tensor>& in) {
    const Tensor& x = in[0];
    return (x + 2.0) * (3.0 - x) / (x * 0.5 - 4.0) + 1.5 / x + (2.0 * x - 1.0);
  };
  EXPECT_TRUE(gradcheck_passes(fn, {away_from_zero64({2, 3})}));
}

TEST(Binary, GradcheckSameInputTwice) {
  manual_seed(9);
  // x feeds both operands: the engine must add the two gradient contributions.
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return mul(in[0], in[0]); },
                               {randn64({2, 3})}));
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return div(in[0], in[0] * in[0] + 1.0); },
                               {randn64({2, 3})}));
}

TEST(Binary, ForwardHandExamples) {
  const Tensor a = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor row = f64({10, 20, 30}, {3});
  const Tensor col = f64({2, 4}, {2, 1});
  EXPECT_TRUE(all_close(add(a, row), f64({11, 22, 33, 14, 25, 36}, {2, 3})));
  EXPECT_TRUE(all_close(sub(a, row), f64({-9, -18, -27, -6, -15, -24}, {2, 3})));
  EXPECT_TRUE(all_close(mul(a, col), f64({2, 4, 6, 16, 20, 24}, {2, 3})));
  EXPECT_TRUE(all_close(div(a, col), f64({0.5, 1, 1.5, 1, 1.25, 1.5}, {2, 3})));
  EXPECT_TRUE(all_close(pow(a, f64({2}, {})), f64({1, 4, 9, 16, 25, 36}, {2, 3})));
  EXPECT_TRUE(all_close(pow(f64({4, 9}, {2}), f64({0.5, -1}, {2})), f64({2, 1.0 / 9}, {2})));
  const Tensor b = f64({3, 2, 1, 6, 0, 7}, {2, 3});
  EXPECT_TRUE(all_close(maximum(a, b), f64({3, 2, 3, 6, 5, 7}, {2, 3})));
  EXPECT_TRUE(all_close(minimum(a, b), f64({1, 2, 1, 4, 0, 6}, {2, 3})));
  // [2, 1] with [3]: an outer sum of shape [2, 3].
  EXPECT_TRUE(all_close(add(col, row), f64({12, 22, 32, 14, 24, 34}, {2, 3})));
  EXPECT_TRUE(all_close(10.0 - a, f64({9, 8, 7, 6, 5, 4}, {2, 3})));
  EXPECT_TRUE(all_close(12.0 / a, f64({12, 6, 4, 3, 2.4, 2}, {2, 3})));
  EXPECT_TRUE(all_close(-a, f64({-1, -2, -3, -4, -5, -6}, {2, 3})));
}

TEST(Binary, ForwardMatchesNaiveLoopOnStridedInputs) {
  manual_seed(10);
  // Large enough for the threaded and vectorised kernel paths; the operands are transposed and
  // strided views, so the kernels' stride handling is what is tested.
  const Tensor a = randn({64, 96}, {.dtype = DType::f64}).t();
  const Tensor b = randn({96, 128}, {.dtype = DType::f64}).slice(1, 0, 128, 2);
  ASSERT_FALSE(a.is_contiguous());
  ASSERT_FALSE(b.is_contiguous());
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  std::vector<double> sums(va.size()), prod(va.size()), quot(va.size()), big(va.size());
  for (size_t i = 0; i < va.size(); ++i) {
    sums[i] = va[i] + vb[i];
    prod[i] = va[i] * vb[i];
    quot[i] = va[i] / vb[i];
    big[i] = std::max(va[i], vb[i]);
  }
  const Shape shape = a.shape();
  EXPECT_TRUE(all_close(add(a, b), f64(sums, shape), 0, 0));
  EXPECT_TRUE(all_close(mul(a, b), f64(prod, shape), 0, 0));
  EXPECT_TRUE(all_close(div(a, b), f64(quot, shape), 1e-15, 0));
  EXPECT_TRUE(all_close(maximum(a, b), f64(big, shape), 0, 0));
  // The same in float32, against the double loop within float rounding.
  EXPECT_TRUE(all_close(mul(a.to(DType::f32), b.to(DType::f32)), f64(prod, shape), 1e-6, 1e-6));
}

TEST(Binary, MaximumSplitsGradientOnTies) {
  // torch: on a tie each input gets half the gradient.
  const Tensor a = f64({1, 5, 3}, {3}, true);
  const Tensor b = f64({2, 5, 1}, {3}, true);
  sum(maximum(a, b)).backward();
  EXPECT_TRUE(all_close(a.grad(), f64({0, 0.5, 1}, {3})));
  EXPECT_TRUE(all_close(b.grad(), f64({1, 0.5, 0}, {3})));
  const Tensor c = f64({1, 5, 3}, {3}, true);
  const Tensor d = f64({2, 5, 1}, {3}, true);
  sum(minimum(c, d)).backward();
  EXPECT_TRUE(all_close(c.grad(), f64({1, 0.5, 0}, {3})));
  EXPECT_TRUE(all_close(d.grad(), f64({0, 0.5, 1}, {3})));
}

TEST(Binary, BroadcastGradientSumsOverExpandedDims) {
  // d/db sum(a + b) with b broadcast over 3 rows: each element of b is used 3 times.
  const Tensor a = zeros({3, 4}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor b = zeros({4}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor s = zeros({}, {.dtype = DType::f64, .requires_grad = true});
  sum(a + b + s).backward();
  EXPECT_EQ(b.grad().shape(), Shape({4}));
  EXPECT_TRUE(all_close(b.grad(), full({4}, 3.0, {.dtype = DType::f64})));
  EXPECT_EQ(s.grad().shape(), Shape({}));
  EXPECT_EQ(s.grad().item(), 12.0);
}

TEST(Binary, PowExponentGradientIsZeroWhereBaseIsZero) {
  // d/db 0^b would be 0^b log 0; torch defines it as 0 instead of nan.
  const Tensor a = f64({0, 2}, {2});
  const Tensor b = f64({2, 3}, {2}, true);
  sum(pow(a, b)).backward();
  const std::vector<double> g = b.grad().to_vector<double>();
  EXPECT_EQ(g[0], 0.0);
  EXPECT_NEAR(g[1], 8.0 * std::log(2.0), 1e-12);
}

TEST(Binary, PromotesFloat32WithFloat64) {
  const Tensor a = ones({2}, {.dtype = DType::f32});
  const Tensor b = ones({2}, {.dtype = DType::f64});
  EXPECT_EQ(add(a, b).dtype(), DType::f64);
  EXPECT_EQ(mul(b, a).dtype(), DType::f64);
  EXPECT_EQ((a * 2.0).dtype(), DType::f32);  // a double scalar takes the tensor's dtype
  EXPECT_EQ((2.0 / b).dtype(), DType::f64);
}

TEST(Binary, ShapeMismatchNamesOpAndShapes) {
  const Tensor a = zeros({2, 3}), b = zeros({4}), c = zeros({3, 2});
  EXPECT_TRUE(throws_error_containing([&] { add(a, b); }, {"add", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_error_containing([&] { sub(a, c); }, {"sub", "[2, 3]", "[3, 2]"}));
  EXPECT_TRUE(throws_error_containing([&] { mul(a, c); }, {"mul", "[2, 3]", "[3, 2]"}));
  EXPECT_TRUE(throws_error_containing([&] { div(b, a); }, {"div", "[4]", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { pow(a, b); }, {"pow", "[2, 3]", "[4]"}));
  EXPECT_TRUE(throws_error_containing([&] { maximum(a, b); }, {"maximum", "[2, 3]", "[4]"}));
}

TEST(Binary, IntegerOperandsAreRejected) {
  const Tensor a = zeros({2}), i = zeros({2}, {.dtype = DType::i64});
  EXPECT_TRUE(throws_error_containing([&] { add(a, i); }, {"float32", "int64"}));
}

TEST(Binary, LongRowsAreSplitAcrossThreadsCorrectly) {
  // A contiguous tensor is one row after coalescing; the CPU loop cuts it into pieces per
  // thread. An odd length leaves a short last piece; a strided operand keeps its stride.
  const int64_t n = 3 * 32768 + 17;
  const Tensor a = randn({n}), wide = randn({2 * n});
  const Tensor b = wide.slice(0, 0, 2 * n, 2);
  const std::vector<float> sum_values = (a + b).to_vector<float>();
  const std::vector<float> av = a.to_vector<float>(), bv = b.to_vector<float>();
  ASSERT_EQ(sum_values.size(), static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(sum_values[i], av[i] + bv[i]) << "at " << i;
  const std::vector<float> copied = b.contiguous().to_vector<float>();
  EXPECT_EQ(copied, bv);
}
