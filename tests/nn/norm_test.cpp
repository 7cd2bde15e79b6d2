// Normalisation modules: torch's parameter/buffer names and defaults, train vs eval, running
// statistics and num_batches_tracked, reprs, errors. (10 training steps against PyTorch's
// BatchNorm2d: the batch_norm_module_10_steps case of conv_fixtures_test.cpp.)
#include "nabla/nn/functional/norm.hpp"

#include "nabla/nn/dropout2d.hpp"
#include "nabla/nn/norm.hpp"
#include "support/harness.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}

TEST(NormModule, BatchNormNamesAndDefaultsAsTorch) {
  nn::BatchNorm2d bn(4);
  EXPECT_EQ(names(bn.named_parameters()), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(names(bn.named_buffers()),
            (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  EXPECT_TRUE(equal(bn.weight, ones({4})));
  EXPECT_TRUE(equal(bn.bias, zeros({4})));
  EXPECT_TRUE(equal(bn.running_var, ones({4})));
  EXPECT_EQ(bn.num_batches_tracked.dtype(), DType::i64);
  EXPECT_EQ(module_repr(bn),
            "BatchNorm2d(4, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)");
  nn::BatchNorm1d plain(
      nn::BatchNormOptions{.num_features = 3, .affine = false, .track_running_stats = false});
  EXPECT_TRUE(plain.named_parameters().empty());
  EXPECT_TRUE(plain.named_buffers().empty());
  EXPECT_EQ(module_repr(plain),
            "BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
}

TEST(NormModule, BatchNormTrainUpdatesRunningStatsEvalUsesThem) {
  manual_seed(3);
  nn::BatchNorm2d bn(nn::BatchNormOptions{.num_features = 3, .momentum = 0.5, .dtype = DType::f64});
  const Tensor x = randn64({4, 3, 2, 2}, false) + 2.0;
  const Tensor y = bn(x);
  EXPECT_EQ(bn.num_batches_tracked.item(), 1.0);
  EXPECT_TRUE(all_close(bn.running_mean, mean(x, {0, 2, 3}) * 0.5, 1e-12, 1e-12));
  EXPECT_TRUE(all_close(mean(y, {0, 2, 3}), zeros({3}, {.dtype = DType::f64}), 0, 1e-12));
  bn.eval();
  const Tensor rm = bn.running_mean.clone(), rv = bn.running_var.clone();
  const Tensor y_eval = bn(x);
  EXPECT_TRUE(equal(bn.running_mean, rm));  // eval leaves the statistics alone
  EXPECT_EQ(bn.num_batches_tracked.item(), 1.0);
  EXPECT_TRUE(all_close(y_eval, F::batch_norm(x, rm, rv, bn.weight, bn.bias, false)));
}

TEST(NormModule, BatchNormWithoutTrackingUsesBatchStatsInEval) {
  manual_seed(4);
  nn::BatchNorm1d bn(nn::BatchNormOptions{.num_features = 2, .track_running_stats = false});
  bn.eval();
  const Tensor x = randn({5, 2});
  EXPECT_TRUE(all_close(bn(x), F::batch_norm(x, {}, {}, bn.weight, bn.bias, true), 1e-6, 1e-6));
  EXPECT_EQ(bn(randn({5, 2, 3})).shape(), (Shape{5, 2, 3}));  // [N, C, L] too
}

TEST(NormModule, BatchNormErrorsNameShapes) {
  nn::BatchNorm2d bn(3);
  EXPECT_TRUE(throws_error_containing(
      [&] {
        bn(zeros({2, 4, 2, 2}));
      },
      {"BatchNorm2d", "[2, 4, 2, 2]", "4 channels", "num_features = 3"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        bn(zeros({2, 3}));
      },
      {"BatchNorm2d", "4-D", "[2, 3]"}));
  nn::BatchNorm1d bn1(3);
  EXPECT_TRUE(throws_error_containing(
      [&] {
        bn1(zeros({2, 3, 2, 2}));
      },
      {"BatchNorm1d", "2-D", "3-D"}));
}

TEST(NormModule, LayerGroupInstanceNormAsTorch) {
  manual_seed(5);
  const Tensor x = randn({2, 4, 3, 3});
  nn::LayerNorm ln({3, 3});
  EXPECT_EQ(names(ln.named_parameters()), (std::vector<std::string>{"weight", "bias"}));
  EXPECT_EQ(ln.weight.shape(), (Shape{3, 3}));
  EXPECT_EQ(module_repr(ln), "LayerNorm((3, 3), eps=1e-05, elementwise_affine=True)");
  EXPECT_EQ(module_repr(nn::LayerNorm({5})), "LayerNorm((5,), eps=1e-05, elementwise_affine=True)");
  EXPECT_TRUE(all_close(ln(x), F::layer_norm(x, {3, 3})));
  nn::GroupNorm gn(2, 4);
  EXPECT_EQ(gn.weight.shape(), (Shape{4}));
  EXPECT_EQ(module_repr(gn), "GroupNorm(2, 4, eps=1e-05, affine=True)");
  EXPECT_TRUE(all_close(gn(x), F::group_norm(x, 2)));
  nn::InstanceNorm2d in(4);
  EXPECT_TRUE(in.named_parameters().empty());
  EXPECT_TRUE(in.named_buffers().empty());
  EXPECT_EQ(module_repr(in),
            "InstanceNorm2d(4, eps=1e-05, momentum=0.1, affine=False, track_running_stats=False)");
  in.eval();  // without running statistics, eval still normalises each instance
  EXPECT_TRUE(all_close(in(x), F::group_norm(x, 4)));
  nn::InstanceNorm2d tracked(4, 1e-5, 0.1, true, true);
  EXPECT_EQ(names(tracked.named_buffers()),
            (std::vector<std::string>{"running_mean", "running_var", "num_batches_tracked"}));
  tracked(x);
  EXPECT_GT(max(abs(tracked.running_mean)).item(), 0.0);
  // torch's _InstanceNorm registers num_batches_tracked but never advances it.
  tracked(x);
  EXPECT_EQ(tracked.num_batches_tracked.item(), 0.0);
  EXPECT_THROW(gn(zeros({2, 3, 2, 2})), Error);
}

TEST(NormModule, LocalResponseNormAndDropout2dReprs) {
  EXPECT_EQ(module_repr(nn::LocalResponseNorm(5)),
            "LocalResponseNorm(5, alpha=0.0001, beta=0.75, k=1.0)");
  EXPECT_EQ(module_repr(nn::LocalResponseNorm(2, 0.1, 0.5, 2)),
            "LocalResponseNorm(2, alpha=0.1, beta=0.5, k=2.0)");
  EXPECT_EQ(module_repr(nn::Dropout2d()), "Dropout2d(p=0.5, inplace=False)");
  manual_seed(6);
  const Tensor x = randn({2, 3, 4, 4});
  EXPECT_TRUE(equal(nn::LocalResponseNorm(3)(x), F::local_response_norm(x, 3)));
  nn::Dropout2d drop(0.5);
  drop.eval();
  EXPECT_TRUE(equal(drop(x), x));
}

}  // namespace
}  // namespace nabla::testing
