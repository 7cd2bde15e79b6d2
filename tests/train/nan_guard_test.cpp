// The NaN guard: a run that goes non-finite stops with a reason naming the culprit, prints what
// to try, and writes no checkpoint for the poisoned state.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "train_test_util.hpp"

using namespace nabla;
using nabla::train_test::quiet;
using nabla::train_test::spiral_mlp;
using nabla::train_test::spirals;
using ::testing::HasSubstr;

TEST(NanGuard, AHugeLearningRateStopsTheRunWithAdvice) {
  set_num_threads(1);
  manual_seed(0);
  const data::Dataset data = spirals(32);
  data::DataLoader loader(data, train_test::loader_options(16));
  auto model = spiral_mlp(16);
  std::ostringstream out;
  auto sgd = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 1e6});
  train::Trainer trainer(model, std::move(sgd), train::cross_entropy_loss(), quiet(out, 50));
  const train::History history = trainer.fit(loader);  // does not throw
  EXPECT_EQ(history.stop_kind, train::StopKind::non_finite);
  EXPECT_THAT(history.stop_reason, HasSubstr("non-finite values at epoch"));
  // Which goes first depends on the dynamics: a parameter, or the loss with the layer and the
  // exploded weights named.
  EXPECT_THAT(history.stop_reason,
              ::testing::AnyOf(HasSubstr("parameter "), HasSubstr("the largest |parameter| is ")));
  EXPECT_THAT(history.stop_reason, ::testing::ContainsRegex("[0-9]\\.(weight|bias)"));
  EXPECT_LT(history.epochs.size(), 50u);
  EXPECT_THAT(out.str(), HasSubstr("NaN guard: training stopped at epoch"));
  EXPECT_THAT(out.str(), HasSubstr("lower the learning rate (now 1e+06), check the inputs are "
                                   "normalised, add gradient clipping"));
}

TEST(NanGuard, ANaNParameterIsNamedAndNoCheckpointIsWritten) {
  set_num_threads(1);
  manual_seed(1);
  const data::Dataset data = spirals(16);
  data::DataLoader loader(data, train_test::loader_options(8));
  auto model = spiral_mlp(8);
  {
    autograd::NoGradGuard no_grad;
    for (auto& [name, param] : model->named_parameters())
      if (name == "2.weight") param.data<float>()[3] = NAN;
  }
  train_test::ScratchDir dir;
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 2);
  options.run_dir = dir.path();
  options.checkpoint_every_steps = 1;
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(), options);
  const train::History history = trainer.fit(loader);
  EXPECT_EQ(history.stop_kind, train::StopKind::non_finite);
  EXPECT_THAT(history.stop_reason, HasSubstr("epoch 1, step 1: parameter 2.weight is NaN"));
  EXPECT_TRUE(history.step_loss.empty());
  EXPECT_EQ(trainer.global_step(), 0);
  EXPECT_FALSE(std::filesystem::exists(dir / "checkpoint/last.safetensors"));
}

TEST(NanGuard, ANonFiniteInputNamesTheFirstLayer) {
  set_num_threads(1);
  manual_seed(2);
  data::Dataset data = spirals(16);
  data.inputs.data<float>()[2 * 5 + 1] = INFINITY;  // row 5
  data::DataLoader loader(data, train_test::loader_options(8));
  auto model = spiral_mlp(8);
  std::ostringstream out;
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(), quiet(out, 2));
  const train::History history = trainer.fit(loader);
  EXPECT_EQ(history.stop_kind, train::StopKind::non_finite);
  EXPECT_THAT(history.stop_reason, HasSubstr("the loss is "));
  EXPECT_THAT(history.stop_reason, HasSubstr("the inputs hold inf values"));
  EXPECT_THAT(history.stop_reason,
              HasSubstr("the first layer with a non-finite output is 0 (Linear), output inf"));
  // Parameters stayed finite: the poisoned gradients never reached them.
  for (const auto& [name, param] : model->named_parameters())
    for (float v : param.to_vector<float>()) ASSERT_TRUE(std::isfinite(v)) << name;
}
