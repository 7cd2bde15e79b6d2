// Mixed precision in the Trainer (TrainerOptions::precision): autocast around forward and loss,
// and with f16 a GradScaler whose skipped steps, scale, log fields and checkpoint state these
// tests watch. The CPU ignores autocast (nabla/amp.hpp), so the scaler's arithmetic is what runs
// here: with a power-of-two scale and no overflow, an f16 run equals the f32 run bitwise.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "nabla/io/checkpoint.hpp"
#include "support/harness.hpp"
#include "train_test_util.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
using nabla::train_test::ScratchDir;
using ::testing::HasSubstr;

namespace {

// 80 spiral points in batches of 16: 5 steps an epoch.
const data::Dataset& points() {
  static const data::Dataset data = train_test::spirals(40);
  return data;
}

struct MixedRun {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<data::DataLoader> loader;
  std::unique_ptr<train::Trainer> trainer;
};

// SGD with momentum, whose update is linear in the gradient, so a scaled or clipped-while-scaled
// gradient would show in the weights (Adam's normalisation would hide most of it).
MixedRun make_run(train::TrainerOptions options, train::LossFn loss = train::cross_entropy_loss(),
                  uint64_t init_seed = 3) {
  set_num_threads(1);
  manual_seed(init_seed);
  MixedRun run;
  run.model = train_test::spiral_mlp(16);
  run.loader = std::make_unique<data::DataLoader>(points(), train_test::loader_options(16, 5));
  auto sgd = std::make_unique<optim::SGD>(run.model->parameters(),
                                          optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
  run.trainer = std::make_unique<train::Trainer>(run.model, std::move(sgd), std::move(loss),
                                                 std::move(options));
  return run;
}

train::TrainerOptions options_for(std::ostream& out, int64_t epochs, Precision precision,
                                  const std::string& run_dir = "") {
  train::TrainerOptions options = train_test::quiet(out, epochs);
  options.precision = precision;
  options.run_dir = run_dir;
  options.log_every_steps = 1;
  return options;
}

std::vector<nlohmann::json> lines_of_type(const std::string& path, const std::string& type) {
  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) {
    nlohmann::json json = nlohmann::json::parse(line);
    if (json["type"] == type) lines.push_back(std::move(json));
  }
  return lines;
}

// Cross-entropy whose `at`-th call (1-based) is multiplied by `factor`: one poisoned step.
train::LossFn loss_poisoned_at(int64_t at, double factor) {
  auto calls = std::make_shared<int64_t>(0);
  return [calls, at, factor](const Tensor& logits, const Tensor& targets) {
    const Tensor loss = train::cross_entropy_loss()(logits, targets);
    return ++*calls == at ? loss * factor : loss;
  };
}

}  // namespace

TEST(MixedPrecision, F16WithoutOverflowEqualsF32BitwiseAndTheScaleGrows) {
  ScratchDir f32_dir, f16_dir;
  std::ostringstream out;
  train::TrainerOptions options = options_for(out, 3, Precision::f32, f32_dir.path());
  options.clip_grad_norm = 0.5;  // must see unscaled gradients to clip as the f32 run does
  MixedRun f32 = make_run(options);
  options.precision = Precision::f16;
  options.run_dir = f16_dir.path();
  options.grad_scaler.growth_interval = 4;
  MixedRun f16 = make_run(options);
  const train::History expected = f32.trainer->fit(*f32.loader);
  const train::History history = f16.trainer->fit(*f16.loader);

  EXPECT_TRUE(train_test::bitwise_equal(*f16.model, *f32.model));
  EXPECT_EQ(history.step_loss, expected.step_loss);
  EXPECT_EQ(f32.trainer->grad_scaler(), nullptr);
  ASSERT_NE(f16.trainer->grad_scaler(), nullptr);
  // 15 clean steps: the scale doubles after steps 4, 8 and 12; 3 clean steps since.
  EXPECT_EQ(f16.trainer->grad_scaler()->get_scale(), 65536.0 * 8);
  EXPECT_EQ(f16.trainer->grad_scaler()->growth_tracker(), 3);
  ASSERT_EQ(history.epochs.size(), 3u);
  EXPECT_EQ(history.epochs[0].loss_scale, 65536.0 * 2);  // after step 5
  EXPECT_EQ(history.epochs[1].loss_scale, 65536.0 * 4);  // after step 10
  EXPECT_EQ(history.epochs[2].loss_scale, 65536.0 * 8);
  for (const train::EpochRecord& record : history.epochs) EXPECT_EQ(record.skipped_steps, 0);
  EXPECT_TRUE(std::isnan(expected.epochs[0].loss_scale));

  const std::vector<nlohmann::json> steps = lines_of_type(f16_dir / "metrics.jsonl", "step");
  ASSERT_EQ(steps.size(), 15u);
  EXPECT_EQ(steps[2]["loss_scale"].get<double>(), 65536.0);      // step 3
  EXPECT_EQ(steps[3]["loss_scale"].get<double>(), 65536.0 * 2);  // step 4's update grew it
  const std::vector<nlohmann::json> epochs = lines_of_type(f16_dir / "metrics.jsonl", "epoch");
  ASSERT_EQ(epochs.size(), 3u);
  EXPECT_EQ(epochs[2]["loss_scale"].get<double>(), 65536.0 * 8);
  EXPECT_EQ(epochs[2]["skipped_steps"].get<int64_t>(), 0);
  // An f32 run's lines carry no scaler fields.
  EXPECT_FALSE(lines_of_type(f32_dir / "metrics.jsonl", "step")[0].contains("loss_scale"));
  EXPECT_FALSE(lines_of_type(f32_dir / "metrics.jsonl", "epoch")[0].contains("skipped_steps"));
}

TEST(MixedPrecision, AnOverflowedStepIsSkippedAndTheScaleBacksOff) {
  ScratchDir dir;
  std::ostringstream out;
  train::TrainerOptions options = options_for(out, 2, Precision::f16, dir.path());
  options.progress = true;  // plain epoch lines: `out` is no terminal
  // Step 5's loss × 1e35 is finite, but × the scale 65536 it overflows float32: inf gradients.
  // It is epoch 1's last step, the one the monitor watches.
  MixedRun run = make_run(options, loss_poisoned_at(5, 1e35));
  std::vector<nn::StateDict> weights;  // after each step
  std::vector<double> scales;
  run.trainer->add_callback(train::lambda_callback(
      "watch", {.on_batch_end = [&](train::Trainer& trainer, int64_t, double) {
        nn::StateDict copy;
        for (const auto& [name, tensor] : trainer.model().state_dict())
          copy.emplace_back(name, tensor.clone());
        weights.push_back(std::move(copy));
        scales.push_back(trainer.grad_scaler()->get_scale());
      }}));
  const train::History history = run.trainer->fit(*run.loader);

  EXPECT_EQ(history.stop_kind, train::StopKind::none) << history.stop_reason;
  EXPECT_EQ(run.trainer->global_step(), 10);  // the skipped step counts
  ASSERT_EQ(weights.size(), 10u);
  for (size_t i = 0; i < weights[3].size(); ++i) {
    EXPECT_TRUE(nabla::testing::all_close(weights[4][i].second, weights[3][i].second, 0, 0))
        << "step 5 changed " << weights[4][i].first;
  }
  EXPECT_FALSE(nabla::testing::all_close(weights[5][0].second, weights[4][0].second, 0, 0))
      << "training went on after the skipped step";
  EXPECT_EQ(scales[3], 65536.0);
  EXPECT_EQ(scales[4], 32768.0);
  EXPECT_EQ(scales[9], 32768.0);
  ASSERT_EQ(history.epochs.size(), 2u);
  EXPECT_EQ(history.epochs[0].skipped_steps, 1);
  EXPECT_EQ(history.epochs[1].skipped_steps, 0);
  // The monitored step was skipped: no update ratios (not a row of zeros); epoch 2 has them.
  EXPECT_TRUE(history.epochs[0].update_ratio.empty());
  EXPECT_EQ(history.epochs[1].update_ratio.size(), 6u);
  const std::vector<nlohmann::json> epochs = lines_of_type(dir / "metrics.jsonl", "epoch");
  ASSERT_EQ(epochs.size(), 2u);
  EXPECT_EQ(epochs[0]["skipped_steps"].get<int64_t>(), 1);
  EXPECT_EQ(epochs[0]["loss_scale"].get<double>(), 32768.0);
  EXPECT_THAT(out.str(), HasSubstr("loss scale 32768 (1 skipped)"));
  EXPECT_THAT(out.str(), ::testing::Not(HasSubstr("NaN guard")));
}

TEST(MixedPrecision, ANaNLossStillStopsAScaledRun) {
  std::ostringstream out;
  MixedRun run = make_run(options_for(out, 2, Precision::f16), loss_poisoned_at(3, NAN));
  const train::History history = run.trainer->fit(*run.loader);
  EXPECT_EQ(history.stop_kind, train::StopKind::non_finite);
  EXPECT_THAT(history.stop_reason, HasSubstr("epoch 1, step 3: the loss is NaN"));
  EXPECT_EQ(run.trainer->global_step(), 2);
}

TEST(MixedPrecision, ForwardLossEvaluateAndPredictRunUnderTheTrainersAutocast) {
  std::ostringstream out;
  MixedRun run = make_run(options_for(out, 1, Precision::bf16));
  EXPECT_EQ(run.trainer->grad_scaler(), nullptr);  // bf16 needs no loss scaling
  std::vector<Precision> seen;
  {
    nn::ForwardHookGuard hook([&](const nn::Module&, const Tensor&, const Tensor&) {
      seen.push_back(autocast_precision());
    });
    run.trainer->fit(*run.loader);
    run.trainer->evaluate(points());
    run.trainer->predict(points().inputs);
  }
  ASSERT_FALSE(seen.empty());
  for (Precision precision : seen) EXPECT_EQ(precision, Precision::bf16);
  EXPECT_EQ(autocast_precision(), Precision::f32);  // restored after each

  // An f32 trainer installs no guard: a caller's own autocast region still applies.
  MixedRun plain = make_run(options_for(out, 1, Precision::f32));
  seen.clear();
  {
    AutocastGuard outer(Precision::f16);
    nn::ForwardHookGuard hook([&](const nn::Module&, const Tensor&, const Tensor&) {
      seen.push_back(autocast_precision());
    });
    plain.trainer->predict(points().inputs);
  }
  ASSERT_FALSE(seen.empty());
  for (Precision precision : seen) EXPECT_EQ(precision, Precision::f16);
}

TEST(MixedPrecision, ResumeContinuesWithTheSavedScale) {
  ScratchDir reference_dir, dir;
  std::ostringstream out;
  train::TrainerOptions options = options_for(out, 2, Precision::f16, reference_dir.path());
  options.grad_scaler.growth_interval = 2;
  MixedRun reference = make_run(options);
  reference.trainer->fit(*reference.loader);

  options.run_dir = dir.path();
  MixedRun stopped = make_run(options);
  stopped.trainer->add_callback(train::lambda_callback(
      "stopper", {.on_batch_end = [](train::Trainer& t, int64_t step, double) {
        if (step == 7) t.request_stop();
      }}));
  EXPECT_EQ(stopped.trainer->fit(*stopped.loader).stop_kind, train::StopKind::interrupted);

  MixedRun resumed = make_run(options, train::cross_entropy_loss(), /*init_seed=*/99);
  ASSERT_TRUE(resumed.trainer->resume());
  // Grown after steps 2, 4 and 6; one clean step since.
  EXPECT_EQ(resumed.trainer->grad_scaler()->get_scale(), 65536.0 * 8);
  EXPECT_EQ(resumed.trainer->grad_scaler()->growth_tracker(), 1);
  resumed.trainer->fit(*resumed.loader);
  EXPECT_TRUE(train_test::bitwise_equal(*resumed.model, *reference.model));
  EXPECT_EQ(resumed.trainer->grad_scaler()->get_scale(),
            reference.trainer->grad_scaler()->get_scale());
  EXPECT_EQ(resumed.trainer->grad_scaler()->get_scale(), 65536.0 * 32);  // 10 steps
  EXPECT_EQ(resumed.trainer->grad_scaler()->growth_tracker(),
            reference.trainer->grad_scaler()->growth_tracker());

  // The checkpoint holds the scaler's state with f16 only; a trainer of the other kind refuses it.
  const std::string f16_checkpoint = dir / "checkpoint/last.safetensors";
  const auto trainer_state = [](const std::string& path) {
    return nlohmann::json::parse(io::load_checkpoint(path).text.at("trainer"));
  };
  EXPECT_EQ(trainer_state(f16_checkpoint)["grad_scaler"]["scale"].get<double>(), 65536.0 * 32);
  ScratchDir f32_dir;
  MixedRun f32 = make_run(options_for(out, 1, Precision::f32, f32_dir.path()));
  f32.trainer->fit(*f32.loader);
  const std::string f32_checkpoint = f32_dir / "checkpoint/last.safetensors";
  EXPECT_FALSE(trainer_state(f32_checkpoint).contains("grad_scaler"));
  EXPECT_TRUE(throws_error_containing([&] { f32.trainer->resume(f16_checkpoint); },
                                      {"holds a GradScaler's state", "train.precision"}));
  EXPECT_TRUE(throws_error_containing([&] { resumed.trainer->resume(f32_checkpoint); },
                                      {"has no GradScaler state", "train.precision"}));
}
