// Callbacks: early stopping (patience, restoring the best weights), lambda callbacks, and a
// callback's stop request.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/harness.hpp"
#include "train_test_util.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
using nabla::train_test::quiet;
using nabla::train_test::spiral_mlp;
using nabla::train_test::spirals;
using ::testing::HasSubstr;

namespace {

nn::StateDict copy_state(const nn::Module& model) {
  nn::StateDict copy;
  for (const auto& [name, tensor] : model.state_dict()) copy.emplace_back(name, tensor.clone());
  return copy;
}

}  // namespace

TEST(EarlyStopping, StopsAfterPatienceEpochsAndRestoresTheBestWeights) {
  set_num_threads(1);
  manual_seed(0);
  const data::Dataset data = spirals(16);
  data::DataLoader loader(data, train_test::loader_options(8));
  auto model = spiral_mlp(8);
  std::ostringstream out;
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(), quiet(out, 20));
  auto epoch_one = std::make_shared<nn::StateDict>();
  trainer.add_callback(train::lambda_callback(
      "keep_epoch_one", {.on_epoch_end = [&](train::Trainer& t, const train::EpochRecord& r) {
        if (r.epoch == 1) *epoch_one = copy_state(t.model());
      }}));
  // No later epoch can beat epoch 1 by min_delta: epoch 1 stays the best.
  trainer.add_callback(train::early_stopping({.monitor = "val_loss", .patience = 3,
                                              .min_delta = 1e9, .restore_best = true}));
  const train::History history = trainer.fit(loader, &data);
  EXPECT_EQ(history.epochs.size(), 4u);  // the best, then 3 without improvement
  EXPECT_EQ(history.stop_kind, train::StopKind::callback);
  EXPECT_THAT(history.stop_reason,
              HasSubstr("early stopping: val_loss has not improved for 3 epochs"));
  EXPECT_EQ(history.best_epoch, 1);
  EXPECT_THAT(out.str(), HasSubstr("restored the weights of epoch 1"));
  const nn::StateDict now = model->state_dict();
  ASSERT_EQ(now.size(), epoch_one->size());
  for (size_t i = 0; i < now.size(); ++i)
    EXPECT_TRUE(equal(now[i].second, (*epoch_one)[i].second)) << now[i].first;
}

TEST(EarlyStopping, KeepsTrainingWhileTheMetricImproves) {
  set_num_threads(1);
  manual_seed(1);
  const data::Dataset data = spirals(16);
  data::DataLoader loader(data, train_test::loader_options(8));
  auto model = spiral_mlp(16);
  std::ostringstream out;
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(), quiet(out, 5));
  trainer.add_callback(train::early_stopping({.monitor = "train_loss", .patience = 5}));
  const train::History history = trainer.fit(loader);
  EXPECT_EQ(history.epochs.size(), 5u);
  EXPECT_EQ(history.stop_kind, train::StopKind::none);
  EXPECT_GE(history.best_epoch, 1);
}

TEST(EarlyStopping, OptionErrorsAndAValidationMonitorWithoutValidation) {
  EXPECT_TRUE(throws_error_containing([] { train::early_stopping({.monitor = "loss"}); },
                                      {"unknown monitor \"loss\"", "val_loss"}));
  EXPECT_TRUE(throws_error_containing([] { train::early_stopping({.patience = 0}); },
                                      {"patience must be >= 1"}));
  set_num_threads(1);
  manual_seed(2);
  const data::Dataset data = spirals(8);
  data::DataLoader loader(data, train_test::loader_options(8));
  auto model = spiral_mlp(4);
  std::ostringstream out;
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(), quiet(out, 2));
  trainer.add_callback(train::early_stopping({.monitor = "val_accuracy"}));
  EXPECT_TRUE(throws_error_containing([&] { trainer.fit(loader); },
                                      {"val_accuracy needs a validation set"}));
}

TEST(Callbacks, LambdaCallbackSeesEveryEventAndCanStopTraining) {
  set_num_threads(1);
  manual_seed(3);
  const data::Dataset data = spirals(16);
  data::DataLoader loader(data, train_test::loader_options(8));  // 4 batches an epoch
  auto model = spiral_mlp(4);
  std::ostringstream out;
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(), quiet(out, 5));
  std::vector<std::string> events;
  trainer.add_callback(train::lambda_callback(
      "recorder",
      {.on_epoch_begin = [&](train::Trainer&, int64_t e) { events.push_back("begin " + std::to_string(e)); },
       .on_batch_end =
           [&](train::Trainer& t, int64_t step, double loss) {
             EXPECT_TRUE(std::isfinite(loss));
             if (step == 6) t.stop_training("enough");
           },
       .on_epoch_end = [&](train::Trainer&, const train::EpochRecord& r) { events.push_back("end " + std::to_string(r.epoch)); },
       .on_train_end = [&](train::Trainer&, const train::History&) { events.push_back("train end"); }}));
  const train::History history = trainer.fit(loader);
  EXPECT_EQ(events, (std::vector<std::string>{"begin 1", "end 1", "begin 2", "train end"}));
  EXPECT_EQ(history.stop_kind, train::StopKind::callback);
  EXPECT_EQ(history.stop_reason, "enough");
  EXPECT_EQ(trainer.global_step(), 6);
  EXPECT_EQ(history.epochs.size(), 1u);
}
