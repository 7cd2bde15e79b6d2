// matmul (src/ops/matmul.cpp): 2-D, batched, broadcast-batch and 1-D products; gradients in
// every layout the BLAS path special-cases (contiguous, transposed, strided), values against
// the naive reference, and shape errors.
#include "support/harness.hpp"
#include "support/reference.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

Tensor matmul_fn(const std::vector<Tensor>& in) { return matmul(in[0], in[1]); }

}  // namespace

TEST(Matmul, Gradcheck2D) {
  manual_seed(51);
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({3, 4}), randn64({4, 2})}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({1, 5}), randn64({5, 1})}));
  // Only one operand requires grad.
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({3, 4}, false), randn64({4, 2})}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({3, 4}), randn64({4, 2}, false)}));
}

TEST(Matmul, GradcheckTransposedAndStridedOperands) {
  manual_seed(52);
  const Tensor a = randn64({3, 4}, false), b = randn64({4, 2}, false);
  // Transposed operands go to BLAS as transpose flags; strided ones are copied first.
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {transposed_leaf(a), b.clone().requires_grad_(true)}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {a.clone().requires_grad_(true), transposed_leaf(b)}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {transposed_leaf(a), transposed_leaf(b)}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {strided_leaf(a), strided_leaf(b)}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {strided_leaf(a), transposed_leaf(b)}));
}

TEST(Matmul, GradcheckBatched) {
  manual_seed(53);
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({2, 3, 4}), randn64({2, 4, 2})}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {transposed_leaf(randn64({2, 3, 4})), transposed_leaf(randn64({2, 4, 2}))}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {strided_leaf(randn64({2, 3, 4})), randn64({2, 4, 2})}));
}

TEST(Matmul, GradcheckBatchedBroadcast) {
  manual_seed(54);
  // [2, 1, 2, 3] @ [3, 3, 2] -> [2, 3, 2, 2]: batch dims broadcast on both sides.
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({2, 1, 2, 3}), randn64({3, 3, 2})}));
  // A batch against a single matrix, either side; the left contiguous case folds the batch into
  // one large GEMM, the transposed one does not.
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({2, 3, 4}), randn64({4, 2})}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {transposed_leaf(randn64({2, 3, 4})), randn64({4, 2})}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({3, 4}), randn64({2, 4, 2})}));
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({1, 3, 4}), randn64({2, 4, 2})}));
}

TEST(Matmul, Gradcheck1D) {
  manual_seed(55);
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({5}), randn64({5})}));          // dot
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({4}), randn64({4, 3})}));       // vec @ mat
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({3, 4}), randn64({4})}));       // mat @ vec
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({2, 3, 4}), randn64({4})}));    // batch @ vec
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {randn64({3}), randn64({2, 3, 4})}));    // vec @ batch
  EXPECT_TRUE(gradcheck_passes(matmul_fn, {strided_leaf(randn64({5})), strided_leaf(randn64({5}))}));
}

TEST(Matmul, ShapesOf1DAndBatchedResults) {
  EXPECT_EQ(matmul(zeros({5}), zeros({5})).shape(), Shape({}));
  EXPECT_EQ(matmul(zeros({4}), zeros({4, 3})).shape(), Shape({3}));
  EXPECT_EQ(matmul(zeros({3, 4}), zeros({4})).shape(), Shape({3}));
  EXPECT_EQ(matmul(zeros({3}), zeros({2, 3, 4})).shape(), Shape({2, 4}));
  EXPECT_EQ(matmul(zeros({2, 1, 2, 3}), zeros({5, 3, 4})).shape(), Shape({2, 5, 2, 4}));
}

TEST(Matmul, HandExample) {
  const Tensor a = f64({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = f64({7, 8, 9, 10, 11, 12}, {3, 2});
  EXPECT_TRUE(all_close(matmul(a, b), f64({58, 64, 139, 154}, {2, 2})));
  EXPECT_TRUE(all_close(matmul(b.t(), a.t()), f64({58, 139, 64, 154}, {2, 2})));
  EXPECT_EQ(matmul(f64({1, 2, 3}, {3}), f64({4, 5, 6}, {3})).item(), 32.0);
  // Backward by hand: dA = G Bᵀ, dB = Aᵀ G with G = ones.
  const Tensor x = f64({1, 2, 3, 4}, {2, 2}, true), y = f64({5, 6, 7, 8}, {2, 2}, true);
  sum(matmul(x, y)).backward();
  EXPECT_TRUE(all_close(x.grad(), f64({11, 15, 11, 15}, {2, 2})));
  EXPECT_TRUE(all_close(y.grad(), f64({4, 4, 6, 6}, {2, 2})));
}

TEST(Matmul, MatchesReferenceWithTransposedOperands) {
  manual_seed(56);
  const int64_t m = 17, k = 33, n = 9;
  const Tensor a = randn({m, k}, {.dtype = DType::f64});
  const Tensor b = randn({k, n}, {.dtype = DType::f64});
  const std::vector<double> va = a.to_vector<double>(), vb = b.to_vector<double>();
  const Tensor want = f64(reference::matmul(va, vb, m, k, n), {m, n});
  EXPECT_TRUE(all_close(matmul(a, b), want, 1e-12, 1e-12));
  // The same products with operands stored transposed: Aᵀᵀ and Bᵀᵀ are views with swapped
  // strides, which BLAS reads through its transpose flags.
  const Tensor at = f64(reference::transpose(va, m, k), {k, m}).t();
  const Tensor bt = f64(reference::transpose(vb, k, n), {n, k}).t();
  ASSERT_FALSE(at.is_contiguous());
  ASSERT_FALSE(bt.is_contiguous());
  EXPECT_TRUE(all_close(matmul(at, b), want, 1e-12, 1e-12));
  EXPECT_TRUE(all_close(matmul(a, bt), want, 1e-12, 1e-12));
  EXPECT_TRUE(all_close(matmul(at, bt), want, 1e-12, 1e-12));
  // A strided slice of columns has no BLAS layout and is copied.
  const Tensor wide = zeros({m, 2 * k}, {.dtype = DType::f64});
  wide.slice(1, 0, 2 * k, 2).copy_(a);
  EXPECT_TRUE(all_close(matmul(wide.slice(1, 0, 2 * k, 2), b), want, 1e-12, 1e-12));
  // float32 within float rounding of the double reference.
  EXPECT_TRUE(all_close(matmul(a.to(DType::f32), bt.to(DType::f32)), want, 1e-4, 1e-4));
}

TEST(Matmul, LargeProductMatchesReference) {
  manual_seed(57);
  // Above the size at which OpenBLAS threads the product itself.
  const int64_t m = 80, k = 70, n = 90;
  const Tensor a = randn({m, k}, {.dtype = DType::f64}), b = randn({k, n}, {.dtype = DType::f64});
  const Tensor want = f64(reference::matmul(a.to_vector<double>(), b.to_vector<double>(), m, k, n), {m, n});
  EXPECT_TRUE(all_close(matmul(a, b), want, 1e-11, 1e-11));
}

TEST(Matmul, BatchedMatchesReference) {
  manual_seed(58);
  const int64_t batch = 6, m = 5, k = 7, n = 4;
  const Tensor a = randn({batch, m, k}, {.dtype = DType::f64});
  const Tensor b = randn({batch, k, n}, {.dtype = DType::f64});
  const Tensor want = f64(reference::batched_matmul(a.to_vector<double>(), b.to_vector<double>(),
                                                    batch, m, k, n), {batch, m, n});
  EXPECT_TRUE(all_close(matmul(a, b), want, 1e-12, 1e-12));
  // As [2, 3, m, k] @ [2, 3, k, n] with a transposed right operand.
  const Tensor bt = b.transpose(-1, -2).contiguous().transpose(-1, -2);
  EXPECT_TRUE(all_close(matmul(a.reshape({2, 3, m, k}), bt.reshape({2, 3, k, n})),
                        want.reshape({2, 3, m, n}), 1e-12, 1e-12));
}

TEST(Matmul, BroadcastBatchEqualsExplicitRepeat) {
  manual_seed(59);
  const Tensor a = randn({4, 3, 5}, {.dtype = DType::f64});
  const Tensor b = randn({5, 2}, {.dtype = DType::f64});
  const Tensor repeated = b.unsqueeze(0).expand({4, 5, 2}).contiguous();
  EXPECT_TRUE(all_close(matmul(a, b), matmul(a, repeated), 1e-14, 1e-14));
  EXPECT_TRUE(all_close(matmul(a.transpose(1, 2).contiguous().transpose(1, 2), b),
                        matmul(a, repeated), 1e-14, 1e-14));
}

TEST(Matmul, EmptyInnerDimGivesZeros) {
  // An empty sum: BLAS may leave the output untouched, so this catches uninitialised memory.
  EXPECT_TRUE(all_close(matmul(zeros({3, 0}), zeros({0, 2})), zeros({3, 2})));
  EXPECT_EQ(matmul(zeros({0, 4}), zeros({4, 2})).shape(), Shape({0, 2}));
}

TEST(Matmul, ErrorsNameOpAndShapes) {
  EXPECT_TRUE(throws_error_containing([] { matmul(zeros({2, 3}), zeros({4, 5})); },
                                      {"matmul", "[2, 3]", "[4, 5]"}));
  EXPECT_TRUE(throws_error_containing([] { matmul(zeros({3}), zeros({4})); },
                                      {"matmul", "[3]", "[4]"}));
  EXPECT_TRUE(throws_error_containing([] { matmul(zeros({2, 3}), zeros({2})); },
                                      {"matmul", "[2, 3]", "[2]"}));
  EXPECT_TRUE(throws_error_containing([] { matmul(zeros({2, 3, 4}), zeros({3, 4, 5})); },
                                      {"matmul", "[2, 3, 4]", "[3, 4, 5]"}));
  EXPECT_TRUE(throws_error_containing([] { matmul(zeros({}), zeros({3})); },
                                      {"matmul", "[]", "[3]"}));
}
