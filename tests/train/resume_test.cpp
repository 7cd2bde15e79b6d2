// Checkpoint and resume: a run stopped mid-epoch and resumed by a new trainer ends with
// bitwise the weights of an uninterrupted run (dropout draws from the global generator and a
// schedule changes the lr, so both states must come back), and metrics.jsonl holds every step
// once. Also the metrics.jsonl format itself.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <numeric>
#include <nlohmann/json.hpp>

#include "support/harness.hpp"
#include "train_test_util.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
using nabla::train_test::ScratchDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

namespace {

constexpr int64_t kEpochs = 3;  // 80 rows in batches of 16: 5 steps an epoch

struct TrainRun {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<data::DataLoader> loader;
  std::unique_ptr<train::Trainer> trainer;
};

TrainRun make_run(const data::Dataset& data, const std::string& run_dir, uint64_t init_seed,
             std::ostream& out) {
  manual_seed(init_seed);  // the model's initial weights; a resume overwrites them
  TrainRun run;
  run.model = train_test::spiral_mlp(16, /*dropout=*/0.3);
  run.loader = std::make_unique<data::DataLoader>(data, train_test::loader_options(16, 11));
  auto adam = std::make_unique<optim::Adam>(run.model->parameters(), optim::AdamOptions{.lr = 0.01});
  auto schedule = std::make_unique<optim::StepLR>(*adam, 1, 0.7);
  train::TrainerOptions options = train_test::quiet(out, kEpochs);
  options.run_dir = run_dir;
  options.checkpoint_every_steps = 3;
  options.log_every_steps = 1;
  run.trainer = std::make_unique<train::Trainer>(run.model, std::move(adam),
                                                 train::cross_entropy_loss(), options);
  run.trainer->set_scheduler(std::move(schedule));
  run.trainer->add_callback(train::early_stopping({.monitor = "train_loss", .patience = 10}));
  run.trainer->set_checkpoint_extra({{"mean", from_vector<float>({0.5f, -0.5f})}});
  return run;
}

std::vector<nlohmann::json> read_lines(const std::string& path) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

// The uninterrupted reference, trained once for every test of this file.
struct Reference {
  Reference() : data(train_test::spirals(40)) {
    set_num_threads(1);
    std::ostringstream out;
    run = make_run(data, dir.path(), /*init_seed=*/5, out);
    history = run.trainer->fit(*run.loader);
  }
  data::Dataset data;
  ScratchDir dir;
  TrainRun run;
  train::History history;
};

const Reference& reference() {
  static const Reference instance;
  return instance;
}

// Trains the same run until step 8 (epoch 2, batch 3), where it is interrupted; `backup`
// receives the checkpoint written at step 6.
train::History interrupted_run(const std::string& dir, const std::string& backup) {
  std::ostringstream out;
  TrainRun run = make_run(reference().data, dir, 5, out);
  run.trainer->add_callback(train::lambda_callback(
      "stopper", {.on_batch_end = [&](train::Trainer& t, int64_t step, double) {
        // on_batch_end runs before the step's checkpoint: at step 7 last.safetensors is step 6's.
        if (step == 7) fs::copy_file(dir + "/checkpoint/last.safetensors", backup);
        if (step == 8) t.request_stop();
      }}));
  return run.trainer->fit(*run.loader);
}

void expect_resumed_run_matches_reference(const std::string& dir, int64_t expected_step) {
  std::ostringstream out;
  TrainRun resumed = make_run(reference().data, dir, /*init_seed=*/99, out);
  ASSERT_TRUE(resumed.trainer->resume());
  EXPECT_EQ(resumed.trainer->global_step(), expected_step);
  EXPECT_THAT(out.str(), HasSubstr("resumed from"));
  ASSERT_EQ(resumed.trainer->checkpoint_extra().size(), 1u);
  EXPECT_EQ(resumed.trainer->checkpoint_extra()[0].first, "mean");
  const train::History history = resumed.trainer->fit(*resumed.loader);

  EXPECT_TRUE(train_test::bitwise_equal(*resumed.model, *reference().run.model));
  const train::History& expected = reference().history;
  EXPECT_EQ(history.stop_kind, train::StopKind::none);
  ASSERT_EQ(history.epochs.size(), expected.epochs.size());
  for (size_t e = 0; e < history.epochs.size(); ++e) {
    EXPECT_EQ(history.epochs[e].train_loss, expected.epochs[e].train_loss) << e;
    EXPECT_EQ(history.epochs[e].train_accuracy, expected.epochs[e].train_accuracy) << e;
    EXPECT_EQ(history.epochs[e].learning_rate, expected.epochs[e].learning_rate) << e;
  }
  EXPECT_EQ(history.step_loss, expected.step_loss);

  // Every step once, in order, and each epoch once.
  std::vector<int64_t> steps, epochs;
  for (const nlohmann::json& line : read_lines(dir + "/metrics.jsonl"))
    (line["type"] == "step" ? steps : epochs)
        .push_back(line[line["type"] == "step" ? "step" : "epoch"].get<int64_t>());
  std::vector<int64_t> all_steps(kEpochs * 5);
  std::iota(all_steps.begin(), all_steps.end(), int64_t{1});
  EXPECT_EQ(steps, all_steps);
  EXPECT_EQ(epochs, (std::vector<int64_t>{1, 2, 3}));
}

}  // namespace

TEST(Resume, InterruptedRunResumesToBitwiseTheUninterruptedWeights) {
  ASSERT_EQ(reference().history.epochs.size(), 3u);
  ScratchDir dir, spare;
  const train::History stopped = interrupted_run(dir.path(), spare / "step6.safetensors");
  EXPECT_EQ(stopped.stop_kind, train::StopKind::interrupted);
  EXPECT_EQ(stopped.stop_reason, "interrupted");
  EXPECT_EQ(stopped.epochs.size(), 1u);
  expect_resumed_run_matches_reference(dir.path(), 8);
}

TEST(Resume, KilledRunLosesTheLinesAfterItsLastCheckpoint) {
  ScratchDir dir, spare;
  interrupted_run(dir.path(), spare / "step6.safetensors");
  // As if killed after step 8 but before its checkpoint: the file still holds step 6's state
  // while metrics.jsonl already has steps 7 and 8.
  fs::copy_file(spare / "step6.safetensors", dir / "checkpoint/last.safetensors",
                fs::copy_options::overwrite_existing);
  expect_resumed_run_matches_reference(dir.path(), 6);
}

TEST(Resume, AFinishedRunHasNothingLeftToDo) {
  std::ostringstream out;
  TrainRun again = make_run(reference().data, reference().dir.path() + "_unused", 1, out);
  ASSERT_TRUE(again.trainer->resume(reference().dir / "checkpoint/last.safetensors"));
  const train::History history = again.trainer->fit(*again.loader);
  EXPECT_EQ(history.epochs.size(), 3u);
  EXPECT_EQ(again.trainer->global_step(), 15);
  EXPECT_THAT(out.str(), HasSubstr("nothing to resume: the run had finished its 3 epochs"));
  EXPECT_TRUE(train_test::bitwise_equal(*again.model, *reference().run.model));
  fs::remove_all(reference().dir.path() + "_unused");
}

TEST(Resume, MismatchedSchedulerIsAClearError) {
  std::ostringstream out;
  manual_seed(0);
  auto model = train_test::spiral_mlp(16, 0.3);
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(),
                         train_test::quiet(out, 1));
  EXPECT_TRUE(throws_error_containing(
      [&] { trainer.resume(reference().dir / "checkpoint/last.safetensors"); },
      {"learning-rate scheduler", "this trainer has none"}));
}

TEST(MetricsLog, LinesAreJsonWithStepAndEpochEntriesAndNullForNaN) {
  const std::vector<nlohmann::json> lines = read_lines(reference().dir / "metrics.jsonl");
  ASSERT_EQ(lines.size(), 15u + 3u);
  const nlohmann::json& step = lines[0];
  EXPECT_EQ(step["type"], "step");
  EXPECT_EQ(step["epoch"], 1);
  EXPECT_EQ(step["step"], 1);
  EXPECT_TRUE(step["loss"].is_number());
  EXPECT_DOUBLE_EQ(step["lr"].get<double>(), 0.01);
  const nlohmann::json& epoch = lines[5];
  EXPECT_EQ(epoch["type"], "epoch");
  EXPECT_EQ(epoch["epoch"], 1);
  for (const char* key : {"train_loss", "train_accuracy", "learning_rate", "seconds",
                          "samples_per_second"})
    EXPECT_TRUE(epoch[key].is_number()) << key;
  EXPECT_TRUE(epoch["val_loss"].is_null());  // NaN without validation
  EXPECT_TRUE(epoch["val_accuracy"].is_null());
  EXPECT_EQ(epoch["update_ratio"].size(), 6u);  // 3 Linear layers x (weight, bias)
  EXPECT_DOUBLE_EQ(lines[11]["learning_rate"].get<double>(), 0.01 * 0.7);  // epoch 2
  // The step line's text starts with its type.
  std::ifstream in(reference().dir / "metrics.jsonl");
  std::string first;
  std::getline(in, first);
  EXPECT_EQ(first.rfind("{\"type\":\"step\",\"epoch\":1,\"step\":1,\"loss\":", 0), 0u) << first;
}
