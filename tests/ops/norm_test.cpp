// batch_norm, layer_norm, group_norm, instance_norm, local_response_norm and dropout2d:
// gradients in training and eval mode (input, weight and bias), running statistics against
// their definition, and errors. (Values against PyTorch: conv_fixtures_test.cpp.)
#include "nabla/nn/functional/norm.hpp"

#include "support/harness.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;

Tensor positive_leaf(const Shape& shape) {
  return (rand(shape, {.dtype = DType::f64}) + 0.5).requires_grad_();
}

TEST(NormOp, BatchNormGradcheckTrainAndEval) {
  for (const Shape& shape : {Shape{5, 3}, Shape{3, 2, 3, 2}}) {
    for (bool training : {true, false}) {
      SCOPED_TRACE(std::to_string(shape.size()) + "-D, training " + std::to_string(training));
      manual_seed(5);
      const Tensor x = randn64(shape), w = positive_leaf({shape[1]}), b = randn64({shape[1]});
      const Tensor rm = randn64({shape[1]}, false),
                   rv = rand({shape[1]}, {.dtype = DType::f64}) + 0.5;
      EXPECT_TRUE(gradcheck_passes(
          [&](const std::vector<Tensor>& in) {
            // Fresh copies: every evaluation starts from the same running statistics.
            return F::batch_norm(in[0], rm.clone(), rv.clone(), in[1], in[2], training);
          },
          {x, w, b}));
      EXPECT_TRUE(gradcheck_passes(
          [&](const std::vector<Tensor>& in) {
            return F::batch_norm(in[0], rm, rv, {}, {}, training, 0.0);
          },
          {x}));
    }
  }
}

TEST(NormOp, BatchNormTrainingMatchesDefinitionAndUpdatesRunningStats) {
  manual_seed(6);
  const Tensor x = randn64({4, 3, 2, 2}, false) * 2.0 + 1.0;
  const Tensor rm = zeros({3}, {.dtype = DType::f64}), rv = ones({3}, {.dtype = DType::f64});
  const Tensor w = f64({1.0, 2.0, 0.5}, {3}), b = f64({0.0, -1.0, 3.0}, {3});
  const Tensor y = F::batch_norm(x, rm, rv, w, b, true, 0.25, 1e-5);
  const Tensor mu = mean(x, {0, 2, 3}, true), var_b = var(x, {0, 2, 3}, 0, true);
  const Tensor expected =
      (x - mu) / sqrt(var_b + 1e-5) * w.reshape({1, 3, 1, 1}) + b.reshape({1, 3, 1, 1});
  EXPECT_TRUE(all_close(y, expected, 1e-10, 1e-10));
  EXPECT_TRUE(all_close(rm, mu.reshape({3}) * 0.25, 1e-12, 1e-12));
  EXPECT_TRUE(all_close(rv, var(x, {0, 2, 3}, 1) * 0.25 + 0.75, 1e-12, 1e-12));  // unbiased
  // Eval: the running statistics, not the batch's.
  const Tensor y_eval = F::batch_norm(x, rm, rv, {}, {}, false, 0.25, 1e-5);
  EXPECT_TRUE(
      all_close(y_eval, (x - rm.reshape({1, 3, 1, 1})) / sqrt(rv.reshape({1, 3, 1, 1}) + 1e-5)));
}

TEST(NormOp, LayerGroupInstanceNormGradcheck) {
  manual_seed(7);
  const Tensor x = randn64({2, 4, 3, 2});
  const Tensor w4 = positive_leaf({4}), b4 = randn64({4});
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& in) { return F::group_norm(in[0], 2, in[1], in[2]); },
      {x, w4, b4}));
  EXPECT_TRUE(
      gradcheck_passes([](const std::vector<Tensor>& in) { return F::group_norm(in[0], 4); }, {x}));
  const Tensor w32 = positive_leaf({3, 2}), b32 = randn64({3, 2});
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& in) {
        return F::layer_norm(in[0], {3, 2}, in[1], in[2], 1e-3);
      },
      {x, w32, b32}));
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& in) { return F::layer_norm(in[0], {2}); }, {x}));
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& in) { return F::instance_norm(in[0], {}, {}, in[1], in[2]); },
      {x, w4, b4}));
  const Tensor rm = zeros({4}, {.dtype = DType::f64}), rv = ones({4}, {.dtype = DType::f64});
  EXPECT_TRUE(gradcheck_passes(
      [&](const std::vector<Tensor>& in) { return F::instance_norm(in[0], rm, rv, {}, {}, false); },
      {x}));
}

TEST(NormOp, LayerNormMatchesDefinition) {
  manual_seed(8);
  const Tensor x = randn64({3, 5}, false);
  const Tensor expected = (x - mean(x, 1, true)) / sqrt(var(x, 1, 0, true) + 1e-5);
  EXPECT_TRUE(all_close(F::layer_norm(x, {5}), expected, 1e-10, 1e-10));
  // Group norm with one group per channel is instance norm; with one group, layer norm over C, H,
  // W.
  const Tensor x4 = randn64({2, 3, 2, 2}, false);
  EXPECT_TRUE(all_close(F::group_norm(x4, 1), F::layer_norm(x4, {3, 2, 2}), 1e-10, 1e-10));
  EXPECT_TRUE(all_close(F::group_norm(x4, 3), F::instance_norm(x4), 1e-10, 1e-10));
}

TEST(NormOp, InstanceNormRunningStatsAverageTheSamples) {
  manual_seed(9);
  const Tensor x = randn64({2, 3, 2, 3}, false);
  const Tensor rm = zeros({3}, {.dtype = DType::f64}), rv = ones({3}, {.dtype = DType::f64});
  F::instance_norm(x, rm, rv, {}, {}, true, 0.5);
  const Tensor rows = x.reshape({2, 3, 6});
  EXPECT_TRUE(all_close(rm, mean(mean(rows, 2), 0) * 0.5, 1e-12, 1e-12));
  EXPECT_TRUE(all_close(rv, mean(var(rows, 2, 1), 0) * 0.5 + 0.5, 1e-12, 1e-12));
}

// The weight is saved like the input: changing it in place before backward would silently give
// the gradient of a different function, so backward raises, as torch does.
TEST(NormOp, InPlaceChangeOfTheWeightAfterForwardRaisesInBackward) {
  manual_seed(13);
  const Tensor x = randn64({2, 4, 3}), w = positive_leaf({4});
  const Tensor by_group = F::group_norm(x, 2, w, {});
  const Tensor by_batch = F::batch_norm(x, {}, {}, w, {}, true);
  {
    autograd::NoGradGuard no_grad;
    w.mul_(2.0);
  }
  EXPECT_TRUE(throws_error_containing([&] { by_group.sum().backward(); },
                                      {"group_norm", "modified in place"}));
  EXPECT_TRUE(throws_error_containing([&] { by_batch.sum().backward(); },
                                      {"batch_norm", "modified in place"}));
}

// torch.nn.functional.instance_norm checks the spatial size whenever it uses input statistics,
// with or without running stats.
TEST(NormOp, InstanceNormNeedsMoreThanOneSpatialElement) {
  const Tensor x = zeros({2, 3, 1, 1}, {.dtype = DType::f64});
  EXPECT_TRUE(throws_error_containing([&] { F::instance_norm(x); },
                                      {"instance_norm", "more than 1 spatial element",
                                       "[2, 3, 1, 1]"}));
  const Tensor rm = zeros({3}, {.dtype = DType::f64}), rv = ones({3}, {.dtype = DType::f64});
  EXPECT_TRUE(throws_error_containing([&] { F::instance_norm(x, rm, rv); },
                                      {"instance_norm", "more than 1 spatial element"}));
  // Running stats alone (use_input_stats = false) normalise a single element fine.
  EXPECT_NO_THROW(F::instance_norm(x, rm, rv, {}, {}, false));
}

TEST(NormOp, LocalResponseNormGradcheckAndDefinition) {
  manual_seed(10);
  for (int64_t size : {1, 2, 3, 5}) {
    SCOPED_TRACE(size);
    const Tensor x = randn64({2, 4, 2, 3});
    EXPECT_TRUE(gradcheck_passes(
        [size](const std::vector<Tensor>& in) {
          return F::local_response_norm(in[0], size, 0.3, 0.75, 2.0);
        },
        {x}));
  }
  // Channel c's window is [c − size/2, c + (size − 1)/2], zero-padded, divided by size.
  const Tensor x = f64({1, 2, 3, 4}, {1, 4, 1});
  const Tensor y = F::local_response_norm(x, 2, 1.0, 1.0, 1.0);
  const Tensor expected =
      f64({1 / (1 + 0.5), 2 / (1 + 2.5), 3 / (1 + 6.5), 4 / (1 + 12.5)}, {1, 4, 1});
  EXPECT_TRUE(all_close(y, expected));
}

TEST(NormOp, Dropout2dDropsWholeChannelsAndScales) {
  manual_seed(11);
  const Tensor x = ones({4, 16, 3, 3}, {.dtype = DType::f64});
  const Tensor y = F::dropout2d(x, 0.25);
  const auto values = y.to_vector<double>();
  int64_t kept = 0;
  for (int64_t plane = 0; plane < 64; ++plane) {
    const double first = values[plane * 9];
    EXPECT_TRUE(first == 0.0 || std::abs(first - 1.0 / 0.75) < 1e-12) << first;
    for (int64_t i = 1; i < 9; ++i) EXPECT_EQ(values[plane * 9 + i], first);
    kept += first != 0.0;
  }
  EXPECT_GT(kept, 32);
  EXPECT_LT(kept, 64);
  manual_seed(11);
  EXPECT_TRUE(equal(F::dropout2d(x, 0.25), y));  // the seed replays the mask
  EXPECT_TRUE(equal(F::dropout2d(x, 0.25, false), x));
  const Tensor leaf = randn64({2, 3, 2, 2});
  manual_seed(12);
  const Tensor mask = F::dropout2d(ones_like(leaf), 0.5);
  manual_seed(12);
  F::dropout2d(leaf, 0.5).sum().backward();
  EXPECT_TRUE(all_close(leaf.grad(), mask));
}

TEST(NormOp, ErrorsNameShapesAndTheFix) {
  const Tensor x = zeros({2, 3, 4, 4});
  EXPECT_TRUE(throws_error_containing([&] { F::batch_norm(x, zeros({4}), ones({4})); },
                                      {"batch_norm", "running_mean", "C = 3", "[4]"}));
  EXPECT_TRUE(
      throws_error_containing([&] { F::batch_norm(x, {}, {}); }, {"batch_norm", "eval mode"}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        F::batch_norm(zeros({1, 3}), {}, {}, {}, {}, true);
      },
      {"batch_norm", "more than 1 value per channel", "[1, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { F::group_norm(x, 2); },
                                      {"group_norm", "num_groups = 2", "C = 3"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::layer_norm(x, {3, 4});
      },
      {"layer_norm", "normalized_shape [3, 4]", "[2, 3, 4, 4]"}));
  EXPECT_TRUE(throws_error_containing([&] { F::layer_norm(x, {4}, zeros({3})); },
                                      {"layer_norm", "weight", "shape [4]"}));
  EXPECT_TRUE(throws_error_containing([&] { F::dropout2d(x, 1.5); }, {"dropout2d", "[0, 1]"}));
}

}  // namespace
}  // namespace nabla::testing
