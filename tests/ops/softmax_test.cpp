// softmax and log_softmax (src/ops/softmax.cpp): gradients along every dim and on strided
// inputs, values against the naive reference, numerical stability, and dim errors.
#include <cmath>

#include "support/harness.hpp"
#include "support/reference.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

using SoftmaxFn = Tensor (*)(const Tensor&, int64_t);

void expect_gradcheck_dims(SoftmaxFn op) {
  for (int64_t dim : {0, 1, 2, -1, -2}) {
    auto fn = [op, dim](const std::vector<Tensor>& in) { return op(in[0], dim); };
    EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3, 4})})) << "dim " << dim;
  }
  auto last = [op](const std::vector<Tensor>& in) { return op(in[0], -1); };
  auto first = [op](const std::vector<Tensor>& in) { return op(in[0], 0); };
  EXPECT_TRUE(gradcheck_passes(last, {transposed_leaf(randn64({4, 5}))}));
  EXPECT_TRUE(gradcheck_passes(first, {transposed_leaf(randn64({4, 5}))}));
  EXPECT_TRUE(gradcheck_passes(last, {strided_leaf(randn64({4, 5}))}));
  EXPECT_TRUE(gradcheck_passes(last, {randn64({6})}));
  EXPECT_TRUE(gradcheck_passes(last, {randn64({})}));
  // Downstream of other ops and feeding others, with a weighting so the gradient reaching
  // the op is not uniform (softmax's Jacobian maps a uniform gradient to 0).
  auto chained = [op](const std::vector<Tensor>& in) {
    return op(in[0] * 2.0 + in[1], 1) * in[1];
  };
  EXPECT_TRUE(gradcheck_passes(chained, {randn64({3, 4}), randn64({4})}));
}

}  // namespace

TEST(Softmax, GradcheckSoftmaxEachDim) {
  manual_seed(91);
  expect_gradcheck_dims(&softmax);
}

TEST(Softmax, GradcheckLogSoftmaxEachDim) {
  manual_seed(92);
  expect_gradcheck_dims(&log_softmax);
}

TEST(Softmax, MatchesReferenceAlongEachDim) {
  manual_seed(93);
  const int64_t rows = 7, cols = 13;
  const Tensor x = randn({rows, cols}, {.dtype = DType::f64}) * 3.0;
  const std::vector<double> v = x.to_vector<double>();
  const std::vector<double> want = reference::softmax_rows(v, rows, cols);
  EXPECT_TRUE(all_close(softmax(x, 1), f64(want, {rows, cols}), 1e-14, 1e-16));
  std::vector<double> log_want(want.size());
  for (size_t i = 0; i < want.size(); ++i) log_want[i] = std::log(want[i]);
  EXPECT_TRUE(all_close(log_softmax(x, -1), f64(log_want, {rows, cols}), 1e-13, 1e-13));
  // Along dim 0 of the transpose: the same numbers, now in columns.
  const Tensor xt = x.t();
  EXPECT_TRUE(all_close(softmax(xt, 0), f64(want, {rows, cols}).t(), 1e-14, 1e-16));
  EXPECT_TRUE(all_close(log_softmax(xt.contiguous(), 0), f64(log_want, {rows, cols}).t(), 1e-13, 1e-13));
  // float32 within float rounding.
  EXPECT_TRUE(all_close(softmax(x.to(DType::f32), 1), f64(want, {rows, cols}), 1e-5, 1e-7));
}

TEST(Softmax, MiddleDimOf3DMatchesReference) {
  manual_seed(94);
  // Along dim 1 of [3, 5, 4]: permute that dim last, compare row by row.
  const Tensor x = randn({3, 5, 4}, {.dtype = DType::f64});
  const Tensor rows_last = x.permute({0, 2, 1}).contiguous();  // [3, 4, 5]
  const std::vector<double> want = reference::softmax_rows(rows_last.to_vector<double>(), 12, 5);
  EXPECT_TRUE(all_close(softmax(x, 1).permute({0, 2, 1}), f64(want, {3, 4, 5}), 1e-14, 1e-16));
}

TEST(Softmax, HandExamplesAndNormalisation) {
  EXPECT_TRUE(all_close(softmax(f64({0, 0}, {2}), 0), f64({0.5, 0.5}, {2})));
  EXPECT_TRUE(all_close(softmax(f64({0, std::log(3.0)}, {2}), 0), f64({0.25, 0.75}, {2})));
  EXPECT_TRUE(all_close(log_softmax(f64({0, 0, 0, 0}, {4}), 0), full({4}, -std::log(4.0), {.dtype = DType::f64})));
  EXPECT_EQ(softmax(f64({5}, {}), 0).item(), 1.0);  // a 0-d tensor is its own single row
  EXPECT_EQ(softmax(f64({5}, {}), 0).shape(), Shape({}));
  manual_seed(95);
  const Tensor p = softmax(randn({4, 6, 5}, {.dtype = DType::f64}), 1);
  EXPECT_TRUE(all_close(sum(p, 1), ones({4, 5}, {.dtype = DType::f64}), 1e-14));
}

TEST(Softmax, StableForLargeAndInfiniteInputs) {
  // exp(1000) overflows; the max-shifted kernel does not.
  EXPECT_TRUE(all_close(softmax(f64({1000, 1000, 1000 - std::log(2.0)}, {3}), 0), f64({0.4, 0.4, 0.2}, {3}), 1e-12));
  EXPECT_TRUE(all_close(softmax(f64({-1000, -1000}, {2}), 0), f64({0.5, 0.5}, {2})));
  EXPECT_TRUE(all_close(log_softmax(f64({1000, 0}, {2}), 0), f64({0, -1000}, {2})));
  const std::vector<float> pf = softmax(from_vector(std::vector<float>{100.f, 0.f}), 0).to_vector<float>();
  EXPECT_EQ(pf[0], 1.f);
  EXPECT_GE(pf[1], 0.f);
  // A -inf logit (a mask) gets probability 0 and leaves the rest normalised.
  EXPECT_TRUE(all_close(softmax(f64({-INFINITY, 0, 0}, {3}), 0), f64({0, 0.5, 0.5}, {3})));
  EXPECT_EQ(log_softmax(f64({-INFINITY, 0}, {2}), 0).to_vector<double>()[0], -INFINITY);
}

TEST(Softmax, BackwardByHand) {
  // d/dx_j sum_i w_i softmax(x)_i = y_j (w_j - sum_i w_i y_i).
  const Tensor x = f64({0, std::log(3.0)}, {2}, true);
  sum(softmax(x, 0) * f64({1, 0}, {2})).backward();
  EXPECT_TRUE(all_close(x.grad(), f64({0.25 * 0.75, -0.25 * 0.75}, {2}), 1e-14, 1e-15));
  // d/dx sum(log_softmax(x)) = 1 - n * softmax(x).
  const Tensor z = f64({0, std::log(3.0)}, {2}, true);
  sum(log_softmax(z, 0)).backward();
  EXPECT_TRUE(all_close(z.grad(), f64({0.5, -0.5}, {2}), 1e-14, 1e-15));
}

TEST(Softmax, OutOfRangeDimNamesOpAndShape) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_error_containing([&] { softmax(x, 2); }, {"softmax", "dim 2", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { softmax(x, -3); }, {"softmax", "dim -3", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { log_softmax(x, 5); }, {"log_softmax", "dim 5", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { softmax(zeros({2}, {.dtype = DType::i64}), 0); },
                                      {"softmax", "int64"}));
}
