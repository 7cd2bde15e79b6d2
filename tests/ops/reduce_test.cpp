// Reductions (src/ops/reduce.cpp): sum, mean, max/min (whole and along a dim), argmax/argmin
// and sum_to. Gradients for every dims/keepdim variant, values against the naive kernels,
// tie conventions, empty tensors and dim errors. Thread-count determinism: determinism_test.cpp.
#include <cmath>

#include "support/harness.hpp"
#include "support/reference.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

// Every dims / keepdim variant of a reduction on a [2, 3, 4] input, contiguous and permuted.
void expect_gradcheck_dims(Tensor (*op)(const Tensor&, const Dims&, bool)) {
  const std::vector<Dims> variants{Dims(), Dims(0), Dims(1), Dims(2), Dims(-1), Dims({0, 2}),
                                   Dims({-1, 1}), Dims({0, 1, 2})};
  for (const Dims& dims : variants)
    for (bool keepdim : {false, true}) {
      auto fn = [&](const std::vector<Tensor>& in) { return op(in[0], dims, keepdim); };
      EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3, 4})}))
          << "dims " << ::testing::PrintToString(dims.values) << " keepdim " << keepdim;
    }
  // A non-contiguous input: the backward must not assume the input's layout.
  auto fn = [op](const std::vector<Tensor>& in) { return op(in[0], Dims(0), false); };
  EXPECT_TRUE(gradcheck_passes(fn, {transposed_leaf(randn64({2, 4, 3}))}));
  EXPECT_TRUE(gradcheck_passes(fn, {strided_leaf(randn64({4, 3}))}));
}

Tensor sum_op(const Tensor& x, const Dims& d, bool k) { return sum(x, d, k); }
Tensor mean_op(const Tensor& x, const Dims& d, bool k) { return mean(x, d, k); }

}  // namespace

TEST(Reduce, GradcheckSumDimsAndKeepdim) {
  manual_seed(31);
  expect_gradcheck_dims(&sum_op);
}

TEST(Reduce, GradcheckMeanDimsAndKeepdim) {
  manual_seed(32);
  expect_gradcheck_dims(&mean_op);
}

TEST(Reduce, GradcheckMaxMinWholeTensor) {
  manual_seed(33);
  // Random normal values have a unique extremum, where max is differentiable.
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return max(in[0]); }, {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return min(in[0]); }, {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return max(in[0]); },
                               {transposed_leaf(randn64({3, 4}))}));
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return max(in[0]); }, {randn64({})}));
}

TEST(Reduce, GradcheckMaxMinAlongDim) {
  manual_seed(34);
  for (int64_t dim : {0, 1, 2, -1})
    for (bool keepdim : {false, true}) {
      auto max_fn = [&](const std::vector<Tensor>& in) { return max(in[0], dim, keepdim).first; };
      auto min_fn = [&](const std::vector<Tensor>& in) { return min(in[0], dim, keepdim).first; };
      EXPECT_TRUE(gradcheck_passes(max_fn, {randn64({2, 3, 4})})) << "dim " << dim << " keepdim " << keepdim;
      EXPECT_TRUE(gradcheck_passes(min_fn, {randn64({2, 3, 4})})) << "dim " << dim << " keepdim " << keepdim;
    }
  auto fn = [](const std::vector<Tensor>& in) { return max(in[0], 1).first; };
  EXPECT_TRUE(gradcheck_passes(fn, {strided_leaf(randn64({3, 4}))}));
  EXPECT_TRUE(gradcheck_passes(fn, {transposed_leaf(randn64({3, 4}))}));
}

TEST(Reduce, GradcheckSumTo) {
  manual_seed(35);
  for (const Shape& target : {Shape{4}, Shape{3, 1}, Shape{1, 4}, Shape{}, Shape{1, 3, 4}, Shape{2, 3, 4}}) {
    auto fn = [&](const std::vector<Tensor>& in) { return sum_to(in[0], target); };
    EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3, 4})})) << ::testing::PrintToString(target);
  }
}

TEST(Reduce, SumAlongEachDimMatchesReference) {
  manual_seed(36);
  const Shape shape{5, 7, 9};
  const Tensor x = randn(shape, {.dtype = DType::f64});
  const std::vector<double> v = x.to_vector<double>();
  for (int64_t dim = 0; dim < 3; ++dim) {
    Shape out_shape = shape;
    out_shape.erase(out_shape.begin() + dim);
    const Tensor want = f64(reference::sum_dim(v, shape, dim), out_shape);
    EXPECT_TRUE(all_close(sum(x, dim), want, 1e-12, 1e-12)) << "dim " << dim;
    EXPECT_TRUE(all_close(sum(x, dim - 3), want, 1e-12, 1e-12)) << "negative dim " << dim - 3;
    EXPECT_TRUE(all_close(mean(x, dim), want / static_cast<double>(shape[dim]), 1e-12, 1e-12));
    // float32 accumulates in double, so it matches the double sum to float rounding.
    EXPECT_TRUE(all_close(sum(x.to(DType::f32), dim), want, 1e-5, 1e-5)) << "f32 dim " << dim;
  }
  // A permuted (non-contiguous) input: reducing its dim 0 is reducing x's dim 2.
  const Tensor p = x.permute({2, 0, 1});
  EXPECT_TRUE(all_close(sum(p, 0), f64(reference::sum_dim(v, shape, 2), {5, 7}), 1e-12, 1e-12));
}

TEST(Reduce, HandExamples) {
  const Tensor x = f64({1, 5, 3, 4, 2, 6}, {2, 3});
  EXPECT_EQ(sum(x).item(), 21.0);
  EXPECT_EQ(mean(x).item(), 3.5);
  EXPECT_TRUE(all_close(sum(x, 0), f64({5, 7, 9}, {3})));
  EXPECT_TRUE(all_close(sum(x, 1, true), f64({9, 12}, {2, 1})));
  EXPECT_TRUE(all_close(mean(x, {0, 1}, true), f64({3.5}, {1, 1})));
  EXPECT_EQ(max(x).item(), 6.0);
  EXPECT_EQ(min(x).item(), 1.0);
  const auto [values, indices] = max(x, 1);
  EXPECT_TRUE(all_close(values, f64({5, 6}, {2})));
  EXPECT_TRUE(equal(indices, i64({1, 2}, {2})));
  const auto [low, low_at] = min(x, 0, true);
  EXPECT_TRUE(all_close(low, f64({1, 2, 3}, {1, 3})));
  EXPECT_TRUE(equal(low_at, i64({0, 1, 0}, {1, 3})));
  EXPECT_TRUE(equal(argmax(x), i64({5}, {})));  // an index into the flattened tensor
  EXPECT_TRUE(equal(argmin(x), i64({0}, {})));
  EXPECT_TRUE(equal(argmax(x, 0), i64({1, 0, 1}, {3})));
  EXPECT_TRUE(equal(argmin(x, -1, true), i64({0, 1}, {2, 1})));
  EXPECT_EQ(sum(f64({7}, {})).item(), 7.0);  // 0-d
  EXPECT_EQ(sum(f64({7}, {}), 0).item(), 7.0);
}

TEST(Reduce, MaxAlongDimMatchesReference) {
  manual_seed(37);
  const Shape shape{6, 5, 4};
  const Tensor x = randn(shape, {.dtype = DType::f64});
  const std::vector<double> v = x.to_vector<double>();
  for (int64_t dim = 0; dim < 3; ++dim) {
    const reference::MaxDim want = reference::max_dim(v, shape, dim);
    const auto [values, indices] = max(x, dim);
    EXPECT_EQ(values.to_vector<double>(), want.values) << "dim " << dim;
    EXPECT_EQ(indices.to_vector<int64_t>(), want.indices) << "dim " << dim;
    EXPECT_EQ(argmax(x, dim).to_vector<int64_t>(), want.indices) << "dim " << dim;
  }
}

TEST(Reduce, TiesFollowTorch) {
  // Whole-tensor max splits the gradient evenly among the tied maxima.
  const Tensor x = f64({1, 3, 3, 2}, {4}, true);
  max(x).backward();
  EXPECT_TRUE(all_close(x.grad(), f64({0, 0.5, 0.5, 0}, {4})));
  // Along a dim the first maximum wins the index and the whole gradient.
  const Tensor y = f64({3, 1, 3, 2, 2, 0}, {2, 3}, true);
  const auto [values, indices] = max(y, 1);
  EXPECT_TRUE(equal(indices, i64({0, 0}, {2})));
  sum(values).backward();
  EXPECT_TRUE(all_close(y.grad(), f64({1, 0, 0, 1, 0, 0}, {2, 3})));
  EXPECT_TRUE(equal(argmax(f64({2, 5, 5}, {3})), i64({1}, {})));
  EXPECT_TRUE(equal(argmin(f64({1, 0, 0}, {3})), i64({1}, {})));
}

TEST(Reduce, NanPropagatesThroughMaxAndArgmax) {
  const Tensor x = f64({1, NAN, 3}, {3});
  EXPECT_TRUE(std::isnan(max(x).item()));
  EXPECT_TRUE(std::isnan(min(x).item()));
  EXPECT_TRUE(equal(argmax(x), i64({1}, {})));  // torch: the nan's index
}

TEST(Reduce, IndicesAndValuesCarryNoSurpriseGradient) {
  const Tensor x = f64({1, 2, 3, 4}, {2, 2}, true);
  const Tensor i = argmax(x, 1);
  EXPECT_EQ(i.dtype(), DType::i64);
  EXPECT_FALSE(i.requires_grad());
  EXPECT_TRUE(max(x, 1).first.requires_grad());
  EXPECT_FALSE(max(x, 1).second.requires_grad());
}

TEST(Reduce, EmptyTensors) {
  const Tensor e = zeros({0, 3});
  EXPECT_TRUE(all_close(sum(e, 0), zeros({3})));  // an empty sum is 0
  EXPECT_EQ(sum(e).item(), 0.0);
  EXPECT_EQ(sum(e, 1).shape(), Shape({0}));
  EXPECT_TRUE(throws_error_containing([&] { mean(e, 0); }, {"mean", "[0, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { max(e); }, {"max", "empty"}));
  EXPECT_TRUE(throws_error_containing([&] { max(e, 0); }, {"max", "[0, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { argmin(e); }, {"argmin", "empty"}));
  // argmax / argmin along an empty dim name themselves, not the max / min they run on.
  EXPECT_TRUE(throws_error_containing([&] { argmax(e, 0); }, {"argmax: dim 0", "[0, 3]", "empty"}));
}

TEST(Reduce, OutOfRangeAndRepeatedDims) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_error_containing([&] { sum(x, 2); }, {"sum", "dim 2", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { sum(x, -3); }, {"sum", "dim -3", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { mean(x, {0, 5}); }, {"mean", "dim 5", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { sum(x, {1, -1}); }, {"sum", "twice", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { max(x, 2); }, {"max", "dim 2", "[2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { argmax(x, -3); }, {"argmax", "dim -3", "[2, 3]"}));
}

TEST(Reduce, SumToRejectsShapesItCannotReach) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_error_containing([&] { sum_to(x, {4, 2, 3}); }, {"sum_to", "[2, 3]", "[4, 2, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { sum_to(x, {2}); }, {"sum_to", "[2, 3]", "[2]"}));
}
