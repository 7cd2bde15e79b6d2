// optim::GradScaler against torch.cuda.amp.GradScaler's (1.13) rules: scaling and unscaling,
// skipped steps and backoff on inf/NaN, growth after growth_interval clean steps, the state
// dict, the disabled pass-through, the misuse errors, and a scaled f32 training run that equals
// the unscaled one step for step.
#include "nabla/optim/grad_scaler.hpp"

#include <cmath>
#include <limits>

#include "nabla/optim/sgd.hpp"
#include "support/harness.hpp"

namespace nabla::testing {
namespace {

using optim::GradScaler;
using optim::GradScalerOptions;
using optim::SGD;

constexpr double kInf = std::numeric_limits<double>::infinity();

// A one-parameter problem: p = [1, 2], loss = Σ p² (gradient 2p), stepped by plain SGD.
struct Problem {
  Tensor p = from_vector<float>({1.0f, 2.0f}, {2}, true);
  SGD sgd{{p}, {.lr = 0.5}};
  Tensor loss() const { return sum(p * p); }
};

TEST(GradScaler, DefaultsAreTorchs) {
  GradScaler scaler;
  EXPECT_TRUE(scaler.is_enabled());
  EXPECT_EQ(scaler.get_scale(), 65536.0);
  EXPECT_EQ(scaler.get_growth_factor(), 2.0);
  EXPECT_EQ(scaler.get_backoff_factor(), 0.5);
  EXPECT_EQ(scaler.get_growth_interval(), 2000);
  EXPECT_EQ(scaler.growth_tracker(), 0);
}

TEST(GradScaler, ScaleMultipliesTheLossAndItsGradients) {
  Problem problem;
  GradScaler scaler;
  const Tensor scaled = scaler.scale(problem.loss());
  EXPECT_EQ(scaled.item(), 5.0 * 65536.0);
  scaled.backward();
  EXPECT_EQ(problem.p.grad().to_vector<float>(), (std::vector<float>{131072.0f, 262144.0f}));
}

TEST(GradScaler, UnscaleDividesTheGradientsByTheScale) {
  Problem problem;
  GradScaler scaler({.init_scale = 1024.0});
  scaler.scale(problem.loss()).backward();
  scaler.unscale_(problem.sgd);
  EXPECT_EQ(problem.p.grad().to_vector<float>(), (std::vector<float>{2.0f, 4.0f}));
  EXPECT_FALSE(scaler.found_inf(problem.sgd));
  scaler.step(problem.sgd);  // does not unscale twice
  EXPECT_EQ(problem.p.to_vector<float>(), (std::vector<float>{0.0f, 0.0f}));
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), 1024.0);
  EXPECT_EQ(scaler.growth_tracker(), 1);
}

TEST(GradScaler, StepUnscalesByItselfAndSkipsOnInfOrNan) {
  for (const double bad : {kInf, -kInf, std::nan("")}) {
    Problem problem;
    GradScaler scaler({.init_scale = 64.0});
    problem.p.set_grad(from_vector<float>({1.0f, static_cast<float>(bad)}, {2}));
    scaler.step(problem.sgd);
    EXPECT_TRUE(scaler.found_inf(problem.sgd)) << bad;
    EXPECT_EQ(problem.p.to_vector<float>(), (std::vector<float>{1.0f, 2.0f})) << "step skipped";
    scaler.update();
    EXPECT_EQ(scaler.get_scale(), 32.0) << "backoff 0.5";
    EXPECT_EQ(scaler.growth_tracker(), 0);
  }
}

TEST(GradScaler, GrowsAfterGrowthIntervalCleanStepsAndAnInfRestartsTheCount) {
  Problem problem;
  GradScaler scaler({.init_scale = 8.0, .growth_interval = 3});
  auto clean_step = [&] {
    problem.p.set_grad(from_vector<float>({0.0f, 0.0f}, {2}));
    scaler.step(problem.sgd);
    scaler.update();
  };
  clean_step();
  clean_step();
  EXPECT_EQ(scaler.get_scale(), 8.0);
  EXPECT_EQ(scaler.growth_tracker(), 2);
  problem.p.set_grad(from_vector<float>({static_cast<float>(kInf), 0.0f}, {2}));
  scaler.step(problem.sgd);
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), 4.0);
  EXPECT_EQ(scaler.growth_tracker(), 0);
  clean_step();
  clean_step();
  EXPECT_EQ(scaler.get_scale(), 4.0);
  clean_step();
  EXPECT_EQ(scaler.get_scale(), 8.0) << "three clean steps in a row";
  EXPECT_EQ(scaler.growth_tracker(), 0);
}

TEST(GradScaler, NeverGrowsPastFloat32Range) {
  Problem problem;
  const double largest_power = std::ldexp(1.0, 127);  // 2^128 is inf in float32
  GradScaler scaler({.init_scale = largest_power, .growth_interval = 1});
  problem.p.set_grad(from_vector<float>({0.0f, 0.0f}, {2}));
  scaler.step(problem.sgd);
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), largest_power);
  EXPECT_EQ(scaler.growth_tracker(), 0);
}

TEST(GradScaler, AnInfInOneOptimizerSkipsOnlyThatOneAndBacksOff) {
  Problem clean, broken;
  GradScaler scaler({.init_scale = 4.0});
  clean.p.set_grad(from_vector<float>({4.0f, 4.0f}, {2}));
  broken.p.set_grad(from_vector<float>({std::nanf(""), 4.0f}, {2}));
  scaler.step(clean.sgd);
  scaler.step(broken.sgd);
  EXPECT_EQ(clean.p.to_vector<float>(), (std::vector<float>{0.5f, 1.5f}));
  EXPECT_EQ(broken.p.to_vector<float>(), (std::vector<float>{1.0f, 2.0f}));
  scaler.update();
  EXPECT_EQ(scaler.get_scale(), 2.0);
}

TEST(GradScaler, StateDictRoundTrips) {
  Problem problem;
  GradScaler scaler({.init_scale = 256.0, .growth_factor = 4.0, .backoff_factor = 0.25,
                     .growth_interval = 5});
  problem.p.set_grad(from_vector<float>({0.0f, 0.0f}, {2}));
  scaler.step(problem.sgd);
  scaler.update();
  const std::map<std::string, double> state = scaler.state_dict();
  EXPECT_EQ(state, (std::map<std::string, double>{{"scale", 256.0},
                                                  {"growth_factor", 4.0},
                                                  {"backoff_factor", 0.25},
                                                  {"growth_interval", 5.0},
                                                  {"_growth_tracker", 1.0}}));
  GradScaler restored;
  restored.load_state_dict(state);
  EXPECT_EQ(restored.state_dict(), state);
  EXPECT_EQ(restored.get_scale(), 256.0);
  EXPECT_EQ(restored.growth_tracker(), 1);
  EXPECT_EQ(restored.get_growth_interval(), 5);
}

TEST(GradScaler, LoadStateDictRejectsEmptyOrIncompleteState) {
  GradScaler scaler;
  EXPECT_TRUE(throws_error_containing([&] { scaler.load_state_dict({}); },
                                      {"empty", "disabled GradScaler"}));
  std::map<std::string, double> state = GradScaler().state_dict();
  state.erase("_growth_tracker");
  EXPECT_TRUE(throws_error_containing([&] { scaler.load_state_dict(state); },
                                      {"'_growth_tracker'"}));
  state = GradScaler().state_dict();
  state["growth_interval"] = 2.5;
  EXPECT_TRUE(throws_error_containing([&] { scaler.load_state_dict(state); },
                                      {"whole numbers"}));
  EXPECT_EQ(scaler.get_scale(), 65536.0) << "a rejected state changes nothing";
}

TEST(GradScaler, DisabledScalerIsAPassThrough) {
  Problem problem;
  GradScaler scaler({.enabled = false});
  EXPECT_FALSE(scaler.is_enabled());
  const Tensor loss = problem.loss();
  EXPECT_TRUE(scaler.scale(loss).is_same(loss));
  EXPECT_EQ(scaler.get_scale(), 1.0);
  EXPECT_TRUE(scaler.state_dict().empty());
  problem.p.set_grad(from_vector<float>({2.0f, static_cast<float>(kInf)}, {2}));
  scaler.unscale_(problem.sgd);
  EXPECT_EQ(problem.p.grad().to_vector<float>()[0], 2.0f) << "unscale_ does nothing";
  scaler.step(problem.sgd);  // steps even with an inf gradient
  EXPECT_EQ(problem.p.to_vector<float>()[0], 0.0f);
  EXPECT_TRUE(std::isinf(problem.p.to_vector<float>()[1]));
  scaler.update();  // no records needed
  scaler.load_state_dict({});  // ignored
  EXPECT_EQ(scaler.get_scale(), 1.0);
}

TEST(GradScaler, MisuseIsAnError) {
  Problem problem;
  GradScaler scaler;
  EXPECT_TRUE(throws_error_containing([&] { scaler.update(); }, {"no inf checks were recorded"}));
  EXPECT_TRUE(throws_error_containing([&] { scaler.step(problem.sgd); },
                                      {"no inf checks were recorded", "has a gradient"}));
  EXPECT_EQ(problem.p.to_vector<float>(), (std::vector<float>{1.0f, 2.0f}));
  scaler.update(65536.0);  // clears the failed iteration's record
  problem.p.set_grad(from_vector<float>({1.0f, 1.0f}, {2}));
  scaler.unscale_(problem.sgd);
  EXPECT_TRUE(throws_error_containing([&] { scaler.unscale_(problem.sgd); },
                                      {"unscale_", "already called"}));
  scaler.step(problem.sgd);
  EXPECT_TRUE(throws_error_containing([&] { scaler.step(problem.sgd); },
                                      {"step", "already called", "update()"}));
  EXPECT_TRUE(throws_error_containing([&] { scaler.unscale_(problem.sgd); },
                                      {"after step()"}));
  scaler.update();
  scaler.step(problem.sgd);  // a new iteration is allowed again
  EXPECT_TRUE(throws_error_containing([] { GradScaler({.growth_factor = 1.0}); },
                                      {"growth_factor must be > 1"}));
  EXPECT_TRUE(throws_error_containing([] { GradScaler({.backoff_factor = 1.5}); },
                                      {"backoff_factor must be in (0, 1)"}));
  EXPECT_TRUE(throws_error_containing([] { GradScaler({.growth_interval = 0}); },
                                      {"growth_interval must be a positive"}));
  EXPECT_TRUE(throws_error_containing([] { GradScaler({.init_scale = -1.0}); },
                                      {"init_scale must be positive"}));
  EXPECT_TRUE(throws_error_containing([&] { scaler.update(0.0); }, {"update(new_scale)"}));
}

// Trains y = W2 relu(W1 x + b1) + b2 with SGD + momentum for a few steps, optionally through a
// scaler (clipping the unscaled gradients, as a user would), and returns every parameter.
std::vector<std::vector<float>> train_tiny_model(bool with_scaler) {
  manual_seed(11);
  nn::Linear first(4, 8), second(8, 2);
  const Tensor x = randn({16, 4}), target = randn({16, 2});
  std::vector<Tensor> params{first.weight, first.bias, second.weight, second.bias};
  SGD sgd(params, {.lr = 0.05, .momentum = 0.9});
  GradScaler scaler({.init_scale = 4096.0, .growth_interval = 2});
  for (int step = 0; step < 6; ++step) {
    sgd.zero_grad();
    const Tensor loss = nn::functional::mse_loss(second(relu(first(x))), target);
    if (with_scaler) {
      scaler.scale(loss).backward();
      scaler.unscale_(sgd);
      optim::clip_grad_norm_(params, 10.0);
      scaler.step(sgd);
      scaler.update();
    } else {
      loss.backward();
      optim::clip_grad_norm_(params, 10.0);
      sgd.step();
    }
  }
  if (with_scaler) {
    EXPECT_EQ(scaler.get_scale(), 4096.0 * 8) << "grew every second step";
  }
  std::vector<std::vector<float>> out;
  for (const Tensor& p : params) out.push_back(p.to_vector<float>());
  return out;
}

TEST(GradScaler, ScaledF32TrainingEqualsTheUnscaledRun) {
  EXPECT_EQ(train_tiny_model(true), train_tiny_model(false));
}

}  // namespace
}  // namespace nabla::testing
