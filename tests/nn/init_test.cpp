// nn::init::orthogonal_: orthonormal rows or columns, the gain, torch's sign convention
// (Q from A = QR with diag(R) > 0, A the normal draw), any-rank weights, and errors.
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::throws_error_containing;

namespace {
Tensor gram(const Tensor& q) { return matmul(q.t(), q); }
}  // namespace

TEST(Init, OrthogonalTallHasOrthonormalColumns) {
  manual_seed(50);
  const Tensor w = empty({7, 4}, {.dtype = DType::f64});
  nn::init::orthogonal_(w);
  EXPECT_TRUE(all_close(gram(w), eye(4, {.dtype = DType::f64}), 1e-12, 1e-12));
}

TEST(Init, OrthogonalWideHasOrthonormalRowsAndGain) {
  manual_seed(51);
  const Tensor w = empty({3, 8}, {.dtype = DType::f64});
  nn::init::orthogonal_(w, 2.0);
  EXPECT_TRUE(all_close(matmul(w, w.t()), eye(3, {.dtype = DType::f64}) * 4.0, 1e-12, 1e-12));
}

TEST(Init, OrthogonalIsTheQOfTheNormalDrawWithPositiveDiagonal) {
  manual_seed(52);
  const Tensor a = randn({6, 3}, {.dtype = DType::f64});  // the draw orthogonal_ will make
  manual_seed(52);
  const Tensor q = empty({6, 3}, {.dtype = DType::f64});
  nn::init::orthogonal_(q);
  // R = Qᵀ A must be upper triangular with a positive diagonal, and Q R = A.
  const Tensor r = matmul(q.t(), a);
  const std::vector<double> rv = r.to_vector<double>();
  for (int64_t i = 0; i < 3; ++i) {
    EXPECT_GT(rv[i * 3 + i], 0.0) << "diag " << i;
    for (int64_t j = 0; j < i; ++j) EXPECT_NEAR(rv[i * 3 + j], 0.0, 1e-12) << i << "," << j;
  }
  EXPECT_TRUE(all_close(matmul(q, r), a, 1e-12, 1e-12));
}

TEST(Init, OrthogonalFlattensConvWeightsAndKeepsFloat32) {
  manual_seed(53);
  const Tensor w = empty({4, 2, 3, 3});
  nn::init::orthogonal_(w);
  EXPECT_EQ(w.dtype(), DType::f32);
  const Tensor flat = w.reshape({4, 18}).to(DType::f64);
  EXPECT_TRUE(all_close(matmul(flat, flat.t()), eye(4, {.dtype = DType::f64}), 1e-6, 1e-6));
  EXPECT_TRUE(throws_error_containing([] { nn::init::orthogonal_(empty({5})); },
                                      {"orthogonal_", "2 or more dimensions", "[5]"}));
}
