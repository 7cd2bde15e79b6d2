// Losses: float64 gradchecks of every loss in every reduction mode (with weights, ignore_index,
// label smoothing, soft targets, pos_weight), the fused cross-entropy's backward against
// softmax − one-hot, stability, the modules, and the errors. Values against PyTorch are in
// nn_fixtures_test.cpp.
#include <cmath>
#include <limits>
#include <sstream>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::f64;
using nabla::testing::gradcheck_passes;
using nabla::testing::i64;
using nabla::testing::randn64;
using nabla::testing::throws_error_containing;
namespace F = nabla::nn::functional;

namespace {
using LossFn = std::function<Tensor(const Tensor& input, F::Reduction)>;

const std::vector<F::Reduction>& reductions() {
  static const std::vector<F::Reduction> all = {F::Reduction::none, F::Reduction::mean,
                                                F::Reduction::sum};
  return all;
}

// gradcheck of input -> loss(input) in each reduction mode.
void expect_gradcheck_all_reductions(const std::string& name, const Tensor& input, const LossFn& loss) {
  for (F::Reduction r : reductions()) {
    SCOPED_TRACE(name + " reduction=" + r.name());
    EXPECT_TRUE(gradcheck_passes([&](const std::vector<Tensor>& in) { return loss(in[0], r); }, {input}));
  }
}
}  // namespace

TEST(Loss, CrossEntropyGradcheckEveryOption) {
  manual_seed(20);
  const Tensor x = randn64({4, 5});
  const Tensor labels = i64({1, 0, 4, -100}, {4});
  const Tensor weight = f64({0.5, 1.0, 2.0, 1.5, 0.7}, {5});
  expect_gradcheck_all_reductions("plain", x, [&](const Tensor& in, F::Reduction r) {
    return F::cross_entropy(in, labels, {.reduction = r});
  });
  expect_gradcheck_all_reductions("weight_smoothing", x, [&](const Tensor& in, F::Reduction r) {
    return F::cross_entropy(in, labels, {.weight = weight, .reduction = r, .label_smoothing = 0.2});
  });
  const Tensor soft = softmax(randn64({4, 5}, false), 1);
  expect_gradcheck_all_reductions("soft_target", x, [&](const Tensor& in, F::Reduction r) {
    return F::cross_entropy(in, soft, {.weight = weight, .reduction = r, .label_smoothing = 0.1});
  });
  const Tensor spatial = randn64({2, 3, 2, 2});
  const Tensor spatial_labels = randint(0, 3, {2, 2, 2});
  expect_gradcheck_all_reductions("spatial", spatial, [&](const Tensor& in, F::Reduction r) {
    return F::cross_entropy(in, spatial_labels, {.reduction = r});
  });
}

TEST(Loss, CrossEntropySoftTargetTakesAGradient) {
  manual_seed(21);
  const Tensor x = randn64({3, 4});
  const Tensor target = softmax(randn64({3, 4}, false), 1).detach().requires_grad_(true);
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& in) { return F::cross_entropy(in[0], in[1]); }, {x, target}));
}

TEST(Loss, FusedCrossEntropyBackwardIsSoftmaxMinusOneHot) {
  manual_seed(22);
  const Tensor x = randn64({3, 4});
  const Tensor labels = i64({2, 0, 3}, {3});
  F::cross_entropy(x, labels).backward();
  const Tensor one_hot = f64({0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1}, {3, 4});
  EXPECT_TRUE(all_close(x.grad(), (softmax(x.detach(), 1) - one_hot) / 3.0, 1e-12, 1e-14));
  // One node, named as the op, not a chain of log_softmax + gather.
  const Tensor rows = F::cross_entropy(x, labels, {.reduction = F::Reduction::none});
  ASSERT_TRUE(rows.grad_fn());
  EXPECT_EQ(rows.grad_fn()->name(), "cross_entropy");
}

TEST(Loss, CrossEntropyIsStableForHugeLogits) {
  const Tensor x = f64({1000.0, -1000.0, 0.0, -1000.0, 1000.0, 999.0}, {2, 3});
  const Tensor loss = F::cross_entropy(x, i64({0, 2}, {2}), {.reduction = F::Reduction::none});
  EXPECT_TRUE(all_close(loss, f64({0.0, 1.0 + std::log1p(std::exp(-1.0))}, {2}), 1e-12, 1e-12));
}

// torch picks log p_y for index targets, so a −inf logit in another class (a masked class)
// leaves the loss finite: here log(1 + e), by hand. A dense Σ_c onehot_c·log p_c gave 0·(−inf).
TEST(Loss, CrossEntropyIndexTargetIgnoresMinusInfInOtherClass) {
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor x = f64({0.0, -inf, 1.0}, {1, 3}).requires_grad_(true);
  const Tensor loss = F::cross_entropy(x, i64({0}, {1}));
  EXPECT_TRUE(all_close(loss, f64({std::log1p(std::exp(1.0))}, {}), 1e-12, 1e-12));
  loss.backward();
  const double e = std::exp(1.0);
  EXPECT_TRUE(all_close(x.grad(), f64({1.0 / (1.0 + e) - 1.0, 0.0, e / (1.0 + e)}, {1, 3}), 1e-12, 1e-14));
  // With class weights and ignore_index too (the second row is ignored).
  const Tensor x2 = f64({0.0, -inf, 1.0, 5.0, 1.0, -inf}, {2, 3});
  const Tensor weighted = F::cross_entropy(x2, i64({2, -100}, {2}), {.weight = f64({1.0, 2.0, 3.0}, {3})});
  EXPECT_TRUE(all_close(weighted, f64({std::log1p(1.0 / e)}, {}), 1e-12, 1e-12));
}

TEST(Loss, NllAndMultiMarginGradcheck) {
  manual_seed(23);
  const Tensor labels = i64({1, 0, 4, 2}, {4});
  const Tensor weight = f64({0.5, 1.0, 2.0, 1.5, 0.7}, {5});
  const Tensor x = randn64({4, 5});
  expect_gradcheck_all_reductions("nll", x, [&](const Tensor& in, F::Reduction r) {
    return F::nll_loss(in, i64({1, -100, 4, 2}, {4}), {.weight = weight, .reduction = r});
  });
  for (int64_t p : {1, 2}) {
    expect_gradcheck_all_reductions("multi_margin p=" + std::to_string(p), x,
                                    [&](const Tensor& in, F::Reduction r) {
      return F::multi_margin_loss(in, labels, {.p = p, .margin = 0.8, .weight = weight, .reduction = r});
    });
  }
}

TEST(Loss, MultiMarginIsTheNotesSvmLoss) {
  // The notes' example scores (cat, car, frog) = (3.2, 5.1, -1.7), true class cat:
  // max(0, 5.1 - 3.2 + 1) + max(0, -1.7 - 3.2 + 1) = 2.9; torch divides by C = 3.
  const Tensor loss = F::multi_margin_loss(f64({3.2, 5.1, -1.7}, {1, 3}), i64({0}, {1}));
  EXPECT_NEAR(loss.item(), 2.9 / 3.0, 1e-12);
}

TEST(Loss, BinaryAndRegressionLossesGradcheck) {
  manual_seed(24);
  const Tensor probs = (rand({3, 4}, {.dtype = DType::f64}) * 0.8 + 0.1).detach().requires_grad_(true);
  const Tensor target = rand({3, 4}, {.dtype = DType::f64});
  const Tensor weight = rand({3, 4}, {.dtype = DType::f64}) + 0.5;
  const Tensor pos_weight = f64({0.5, 2.0, 1.0, 3.0}, {4});
  expect_gradcheck_all_reductions("bce", probs, [&](const Tensor& in, F::Reduction r) {
    return F::binary_cross_entropy(in, target, {.weight = weight, .reduction = r});
  });
  const Tensor logits = (randn64({3, 4}, false) * 3.0).detach().requires_grad_(true);
  expect_gradcheck_all_reductions("bce_with_logits", logits, [&](const Tensor& in, F::Reduction r) {
    return F::binary_cross_entropy_with_logits(in, target, {.weight = weight, .pos_weight = pos_weight, .reduction = r});
  });
  // Regression inputs keep |x - t| away from the kinks at 0 and at delta / beta.
  const Tensor t = f64({0, 0, 0, 0, 0, 0, 0, 0}, {2, 4});
  const Tensor x = f64({-2.3, -0.7, -0.2, 0.3, 0.45, 0.8, 1.6, 3.1}, {2, 4}, true);
  expect_gradcheck_all_reductions("mse", x, [&](const Tensor& in, F::Reduction r) { return F::mse_loss(in, t, r); });
  expect_gradcheck_all_reductions("l1", x, [&](const Tensor& in, F::Reduction r) { return F::l1_loss(in, t, r); });
  expect_gradcheck_all_reductions("huber", x, [&](const Tensor& in, F::Reduction r) {
    return F::huber_loss(in, t, r, 1.2);
  });
  expect_gradcheck_all_reductions("smooth_l1", x, [&](const Tensor& in, F::Reduction r) {
    return F::smooth_l1_loss(in, t, r, 0.6);
  });
}

TEST(Loss, BceWithLogitsIsStableAndBceClampsLogs) {
  const Tensor big = f64({800.0, -800.0}, {2});
  const Tensor loss = F::binary_cross_entropy_with_logits(big, f64({0.0, 1.0}, {2}), {.reduction = F::Reduction::none});
  EXPECT_TRUE(all_close(loss, f64({800.0, 800.0}, {2})));
  // log(0) is clamped to -100, as torch, so a confident wrong answer costs 100, not inf.
  const Tensor clamped = F::binary_cross_entropy(f64({0.0, 1.0}, {2}), f64({1.0, 0.0}, {2}), {.reduction = F::Reduction::none});
  EXPECT_TRUE(all_close(clamped, f64({100.0, 100.0}, {2})));
}

TEST(Loss, ReductionStringsAndErrors) {
  EXPECT_EQ(F::Reduction("sum").kind(), F::Reduction::sum);
  EXPECT_EQ(F::Reduction(std::string("none")).kind(), F::Reduction::none);
  EXPECT_TRUE(throws_error_containing([] { F::Reduction("average"); },
                                      {"reduction", "\"average\"", "\"none\", \"mean\" or \"sum\""}));
  const Tensor x = zeros({4, 5});
  EXPECT_TRUE(throws_error_containing([&] { F::cross_entropy(x, i64({1, 0, 7, 2}, {4})); },
                                      {"cross_entropy", "index 7", "5 classes"}));
  EXPECT_TRUE(throws_error_containing([&] { F::nll_loss(x, i64({1, -3, 0, 2}, {4})); },
                                      {"nll_loss", "index -3", "5 classes"}));
  EXPECT_TRUE(throws_error_containing([&] { F::multi_margin_loss(x, i64({1, 0, 5, 2}, {4})); },
                                      {"multi_margin_loss", "index 5", "5 classes"}));
  EXPECT_TRUE(throws_error_containing([&] { F::cross_entropy(x, i64({1, 0, 2}, {3})); },
                                      {"cross_entropy", "[4, 5]", "[4]", "[3]"}));
  EXPECT_TRUE(throws_error_containing([&] { F::cross_entropy(x, zeros({4, 4})); },
                                      {"cross_entropy", "[4, 4]", "[4, 5]"}));
  EXPECT_TRUE(throws_error_containing([&] { F::cross_entropy(x, i64({1, 0, 2, 2}, {4}), {.weight = ones({4})}); },
                                      {"cross_entropy", "weight", "[4]", "[5]"}));
  EXPECT_TRUE(throws_error_containing([&] { F::mse_loss(x, zeros({4, 1})); },
                                      {"mse_loss", "[4, 5]", "[4, 1]"}));
  EXPECT_TRUE(throws_error_containing([&] { F::binary_cross_entropy(x + 1.5, ones({4, 5})); },
                                      {"binary_cross_entropy", "[0, 1]", "1.5"}));
  EXPECT_TRUE(throws_error_containing([&] { F::multi_margin_loss(x, i64({1, 0, 2, 2}, {4}), {.p = 3}); },
                                      {"multi_margin_loss", "p must be 1 or 2", "3"}));
  EXPECT_TRUE(throws_error_containing([&] { F::huber_loss(x, x, "mean", 0.0); }, {"huber_loss", "delta"}));
}

TEST(Loss, ModulesKeepOptionsAndWeightsAsBuffers) {
  manual_seed(25);
  const Tensor weight = f64({1.0, 2.0, 0.5}, {3});
  nn::CrossEntropyLoss criterion({.weight = weight, .reduction = "sum", .label_smoothing = 0.1});
  const Tensor x = randn64({4, 3}, false);
  const Tensor y = i64({0, 2, 1, 1}, {4});
  EXPECT_TRUE(nabla::equal(criterion(x, y),
                           F::cross_entropy(x, y, {.weight = weight, .reduction = "sum", .label_smoothing = 0.1})));
  ASSERT_EQ(criterion.state_dict().size(), 1u);
  EXPECT_EQ(criterion.state_dict()[0].first, "weight");
  std::ostringstream repr;
  repr << criterion;
  EXPECT_EQ(repr.str(), "CrossEntropyLoss(reduction=sum)");
  EXPECT_TRUE(throws_error_containing([&] { criterion.forward(x); }, {"CrossEntropyLoss", "(input, target)"}));

  nn::BCEWithLogitsLoss bce({.pos_weight = f64({2.0, 1.0, 1.0}, {3})});
  EXPECT_EQ(bce.state_dict()[0].first, "pos_weight");
  const Tensor t = rand({4, 3}, {.dtype = DType::f64});
  EXPECT_TRUE(nabla::equal(bce(x, t), F::binary_cross_entropy_with_logits(x, t, {.pos_weight = f64({2.0, 1.0, 1.0}, {3})})));
  EXPECT_TRUE(nabla::equal(nn::MSELoss()(x, t), F::mse_loss(x, t)));
  EXPECT_TRUE(nabla::equal(nn::L1Loss("sum")(x, t), F::l1_loss(x, t, "sum")));
  EXPECT_TRUE(nabla::equal(nn::HuberLoss("none", 0.5)(x, t), F::huber_loss(x, t, "none", 0.5)));
  EXPECT_TRUE(nabla::equal(nn::SmoothL1Loss("mean", 0.5)(x, t), F::smooth_l1_loss(x, t, "mean", 0.5)));
  EXPECT_TRUE(nabla::equal(nn::MultiMarginLoss({.p = 2})(x, y), F::multi_margin_loss(x, y, {.p = 2})));
  const Tensor logp = log_softmax(x, 1);
  EXPECT_TRUE(nabla::equal(nn::NLLLoss()(logp, y), F::nll_loss(logp, y)));
  const Tensor p = sigmoid(x);
  EXPECT_TRUE(nabla::equal(nn::BCELoss()(p, t), F::binary_cross_entropy(p, t)));
}
