// Trainer: fit on the notes' spiral data, evaluate / predict, the plain progress lines, errors.
#include "nabla/train/trainer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <regex>

#include "support/harness.hpp"
#include "train/progress.hpp"
#include "train_test_util.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
using nabla::train_test::quiet;
using nabla::train_test::spiral_mlp;
using nabla::train_test::spirals;
using ::testing::HasSubstr;

namespace {

std::unique_ptr<optim::Optimizer> adam(nn::Module& model, double lr) {
  return std::make_unique<optim::Adam>(model.parameters(), optim::AdamOptions{.lr = lr});
}

}  // namespace

TEST(Trainer, SpiralMlpLearnsTheSpirals) {
  set_num_threads(1);
  manual_seed(0);
  const data::Dataset data = spirals(100);
  data::DataLoader loader(data, train_test::loader_options(32));
  auto model = spiral_mlp(32);
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 60);
  options.monitor = false;
  train::Trainer trainer(model, adam(*model, 0.02), train::cross_entropy_loss(), options);
  const train::History history = trainer.fit(loader, &data);
  ASSERT_EQ(history.epochs.size(), 60u);
  EXPECT_EQ(history.stop_kind, train::StopKind::none);
  EXPECT_TRUE(history.stop_reason.empty());
  EXPECT_LT(history.epochs.back().train_loss, 0.5 * history.epochs.front().train_loss);
  EXPECT_GT(history.epochs.back().val_accuracy, 0.9);
  EXPECT_EQ(history.step_loss.size(), 60u * loader.batches_per_epoch());
  EXPECT_DOUBLE_EQ(history.step_loss.back().first, 60.0);
  EXPECT_EQ(trainer.global_step(), 60 * loader.batches_per_epoch());
  EXPECT_DOUBLE_EQ(history.epochs.back().learning_rate, 0.02);
  EXPECT_GT(history.epochs.back().samples_per_second, 0.0);

  const train::Evaluation evaluation = trainer.evaluate(data);
  EXPECT_DOUBLE_EQ(evaluation.accuracy, history.epochs.back().val_accuracy);
  EXPECT_DOUBLE_EQ(evaluation.loss, history.epochs.back().val_loss);
  EXPECT_EQ(evaluation.predictions.shape(), (Shape{200}));
  EXPECT_EQ(evaluation.confusion.size(), 2u);
  EXPECT_DOUBLE_EQ(evaluation.top_k_accuracy, 1.0);  // k = 2 of 2 classes
}

TEST(Trainer, EvaluateAndPredictRestoreTheModelsMode) {
  set_num_threads(1);
  manual_seed(1);
  const data::Dataset data = spirals(20);
  auto model = spiral_mlp(8, /*dropout=*/0.5);
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 1);
  options.eval_batch_size = 7;  // 40 rows: batches of 7 and a last one of 5
  options.input_transform = [](const Tensor& x) { return x * 2.0; };
  train::Trainer trainer(model, adam(*model, 0.01), train::cross_entropy_loss(), options);
  model->train();
  const train::Evaluation first = trainer.evaluate(data);
  EXPECT_TRUE(model->is_training());
  model->eval();
  const train::Evaluation second = trainer.evaluate(data);
  EXPECT_FALSE(model->is_training());
  EXPECT_EQ(first.loss, second.loss);  // eval mode: dropout off both times

  const Tensor probabilities = trainer.predict(data.inputs);
  ASSERT_EQ(probabilities.shape(), (Shape{40, 2}));
  const std::vector<float> p = probabilities.to_vector<float>();
  for (int64_t i = 0; i < 40; ++i) EXPECT_NEAR(p[2 * i] + p[2 * i + 1], 1.0, 1e-5);
  // The transform is applied: the same as the model on 2x inputs.
  autograd::NoGradGuard no_grad;
  const Tensor direct = softmax((*model)(data.inputs * 2.0), 1);
  EXPECT_TRUE(allclose(direct, probabilities, 1e-5, 1e-6));  // GEMM blocking differs by batch
  EXPECT_EQ(argmax(direct, 1).to_vector<int64_t>(), first.predictions.to_vector<int64_t>());
}

TEST(Trainer, PrintsOnePlainLinePerEpochWhenNotOnATerminal) {
  set_num_threads(1);
  manual_seed(2);
  const data::Dataset data = spirals(20);
  data::DataLoader loader(data, train_test::loader_options(16));
  auto model = spiral_mlp(8);
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 2);
  options.progress = true;  // out is not std::cerr: plain lines
  train::Trainer trainer(model, adam(*model, 0.01), train::cross_entropy_loss(), options);
  trainer.fit(loader, &data);
  const std::regex line(
      R"(epoch 1/2  train loss \d+\.\d{4} acc \d+\.\d{2}%  val loss \d+\.\d{4} acc \d+\.\d{2}%  )"
      R"(lr 0\.01  \d+\.\d s  \d+ samples/s\n)");
  EXPECT_TRUE(std::regex_search(out.str(), line)) << out.str();
  EXPECT_THAT(out.str(), HasSubstr("epoch 2/2  train loss"));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("\r")));
}

TEST(Trainer, ProgressBarLineLooksLikeTheExample) {
  EXPECT_EQ(train::detail::Progress::bar_line(3, 10, 412, 938, 1234.0, 0.4123, 17.2),
            "epoch 3/10 [========>           ] 412/938 1.2k samples/s loss 0.412 ETA 0:17");
  // On a terminal: "\r"-redrawn bar lines, cleared before the epoch line.
  std::ostringstream out;
  train::detail::Progress progress(out, /*enabled=*/true, /*terminal=*/true);
  progress.epoch_begin(1, 2, 4, 0);
  for (int64_t b = 1; b <= 4; ++b) progress.batch_end(b, 8, 0.5);
  train::EpochRecord record;
  record.epoch = 1;
  progress.epoch_end(record, 2);
  EXPECT_THAT(out.str(), HasSubstr("\repoch 1/2 [====================] 4/4 "));
  EXPECT_THAT(out.str(), HasSubstr("\r\033[Kepoch 1/2  train loss"));
}

TEST(Trainer, PerStepSchedulerAndRegularizerTakePart) {
  set_num_threads(1);
  manual_seed(3);
  const data::Dataset data = spirals(16);
  data::DataLoader loader(data, train_test::loader_options(8));  // 4 batches
  auto model = spiral_mlp(8);
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 2);
  options.schedule_per_step = true;
  auto sgd = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1});
  auto schedule = std::make_unique<optim::ExponentialLR>(*sgd, 0.5);
  train::Trainer trainer(model, std::move(sgd), train::cross_entropy_loss(0.1), options);
  trainer.set_scheduler(std::move(schedule));
  int regularizer_calls = 0;
  trainer.add_regularizer([&](const nn::Module& m) {
    ++regularizer_calls;
    return 1e-4 * optim::l2_penalty(m.parameters());
  });
  const train::History history = trainer.fit(loader);
  EXPECT_EQ(regularizer_calls, 8);
  // lr of the epoch's last step: 0.1 · 0.5^3, then 0.1 · 0.5^7.
  EXPECT_DOUBLE_EQ(history.epochs[0].learning_rate, 0.1 * std::pow(0.5, 3));
  EXPECT_DOUBLE_EQ(history.epochs[1].learning_rate, 0.1 * std::pow(0.5, 7));
  EXPECT_TRUE(std::isnan(history.epochs[0].val_loss));  // no validation set
}

TEST(Trainer, PlateauSchedulerLowersTheRateAndSaysSo) {
  set_num_threads(1);
  manual_seed(4);
  const data::Dataset data = spirals(16);
  data::DataLoader loader(data, train_test::loader_options(16));
  auto model = spiral_mlp(8);
  std::ostringstream out;
  // An lr so small that the validation loss improves by far less than the plateau's 1e-4
  // relative threshold.
  auto sgd = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 1e-6});
  auto plateau = std::make_unique<optim::ReduceLROnPlateau>(
      *sgd, optim::ReduceLROnPlateauOptions{.patience = 0});
  train::Trainer trainer(model, std::move(sgd), train::cross_entropy_loss(), quiet(out, 3));
  trainer.set_plateau_scheduler(std::move(plateau));
  trainer.fit(loader, &data);
  EXPECT_THAT(out.str(), HasSubstr("ReduceLROnPlateau: validation loss stopped improving"));
  EXPECT_LT(trainer.optimizer().param_groups()[0].lr(), 1e-6);
}

TEST(Trainer, ConstructionAndSetupErrorsAreClear) {
  auto model = spiral_mlp(4);
  std::ostringstream out;
  EXPECT_TRUE(throws_error_containing(
      [&] { train::Trainer t(nullptr, adam(*model, 0.1), train::cross_entropy_loss()); },
      {"model is null"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { train::Trainer t(model, nullptr, train::cross_entropy_loss()); },
      {"optimizer is null"}));
  EXPECT_TRUE(throws_error_containing([&] { train::Trainer t(model, adam(*model, 0.1), {}); },
                                      {"loss function is empty"}));
  train::Trainer trainer(model, adam(*model, 0.1), train::cross_entropy_loss(), quiet(out, 1));
  optim::SGD other(model->parameters(), {.lr = 0.1});
  EXPECT_TRUE(throws_error_containing(
      [&] { trainer.set_scheduler(std::make_unique<optim::ExponentialLR>(other, 0.9)); },
      {"another optimizer"}));
  trainer.add_callback(train::early_stopping({}));
  EXPECT_TRUE(throws_error_containing([&] { trainer.add_callback(train::early_stopping({})); },
                                      {"early_stopping", "distinct name"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { trainer.set_checkpoint_extra({{"callback.x", zeros({1})}}); }, {"callback."}));
  EXPECT_TRUE(throws_error_containing([] { train::cross_entropy_loss(1.5); }, {"label_smoothing"}));
  EXPECT_TRUE(throws_error_containing([&] { trainer.resume(); }, {"no run_dir"}));
  EXPECT_FALSE(trainer.resume("/nonexistent/nabla/last.safetensors"));
}
