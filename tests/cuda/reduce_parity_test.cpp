// CUDA against CPU for the reductions (any dims, keepdim, strided inputs, ties and NaN for the
// arg-reductions), softmax / log_softmax along every dim, and the losses built on them.
#include "cuda/parity.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;
namespace F = nabla::nn::functional;

TEST(CudaParity, SumAndMeanOverAnyDims) {
  NABLA_REQUIRE_CUDA();
  manual_seed(11);
  const Tensor x = randn_leaf({5, 300, 7});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sum(v[0]); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sum(v[0], 1); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sum(v[0], {0, 2}, true); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return mean(v[0], -1); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return var(v[0], 1); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return std_dev(v[0], {0, 1}); }, {x}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return logsumexp(v[0], 1); }, {x}));
  // A transposed input: the reduced dim is not the innermost in memory.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sum(v[0].transpose(0, 2), 2); }, {x}));
  // A long reduction (more elements than a block has threads) and an empty one.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sum(v[0]); }, {randn_leaf({70001})}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sum(v[0], 1); }, {randn_leaf({3, 0})},
                          kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return sum(v[0], 0); },
                          {randn_leaf({1000, 3}, DType::f64)}, kFloat64));
}

TEST(CudaParity, MaxMinAndArgReductions) {
  NABLA_REQUIRE_CUDA();
  manual_seed(12);
  // Few distinct values: many ties, where the first index must win.
  const Tensor x = randint(0, 4, {6, 513}, {.dtype = DType::f32});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return max(v[0]); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return min(v[0]); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return argmax(v[0], 1); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return argmin(v[0], 0, true); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return argmax(v[0]); }, {x}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return argmax(v[0].t(), 1); }, {x}, kExact));
  const Tensor leaf = randn_leaf({4, 9});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return max(v[0]); }, {leaf}));
  // NaN wins, the first NaN's index.
  const Tensor nan = from_vector<float>({1, NAN, 3, NAN, 2, 5, 5, 0}, {2, 4});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return argmax(v[0], 1); }, {nan}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return argmin(v[0], 0); }, {nan}, kExact));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return max(v[0]); }, {nan}, kExact));
}

TEST(CudaParity, SoftmaxAlongEveryDim) {
  NABLA_REQUIRE_CUDA();
  manual_seed(13);
  const Tensor x = randn_leaf({3, 50, 4}) * 4.0;
  const Tensor leaf = x.detach().requires_grad_(true);
  for (int64_t dim = 0; dim < 3; ++dim) {
    EXPECT_TRUE(matches_cpu([dim](const Inputs& v) { return softmax(v[0], dim); }, {leaf}));
    EXPECT_TRUE(matches_cpu([dim](const Inputs& v) { return log_softmax(v[0], dim); }, {leaf}));
  }
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return softmax(v[0], 1); },
                          {randn_leaf({2, 1000}, DType::f64)}, kFloat64));
  // Rows of -inf and a row with an inf behave as on the CPU.
  const Tensor edge = from_vector<float>({-INFINITY, -INFINITY, 1, INFINITY}, {2, 2});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return softmax(v[0], 1); }, {edge}, kExact));
}

TEST(CudaParity, ClassificationLosses) {
  NABLA_REQUIRE_CUDA();
  manual_seed(14);
  const Tensor logits = randn_leaf({16, 10});
  const Tensor target = randint(0, 10, {16});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::cross_entropy(v[0], v[1]); },
                          {logits, target}));
  EXPECT_TRUE(matches_cpu(
      [](const Inputs& v) {
        return F::cross_entropy(v[0], v[1], {.label_smoothing = 0.1});
      },
      {logits, target}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::nll_loss(log_softmax(v[0], 1), v[1]); },
                          {logits, target}));
  const Tensor y = randn({16, 10});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::mse_loss(v[0], v[1]); }, {logits, y}));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return F::l1_loss(v[0], v[1]); }, {logits, y}));
  const Tensor probabilities = rand({16, 10});
  EXPECT_TRUE(matches_cpu(
      [](const Inputs& v) { return F::binary_cross_entropy_with_logits(v[0], v[1]); },
      {logits, probabilities}));
}
