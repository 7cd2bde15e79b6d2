// Every schedule's lr sequence against torch 1.13's (tests/fixtures/schedules.json, from
// tools/golden/make_optim_fixtures.py): SGD (or Adam) with two groups at lr 0.1 and 0.05.
#include <cmath>
#include <numbers>

#include "nabla/optim/adam.hpp"
#include "nabla/optim/schedule.hpp"
#include "nabla/optim/sgd.hpp"
#include "support/fixtures.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::optim;
using namespace nabla::testing;

namespace {

std::vector<double> doubles(const nlohmann::json& args, const char* key) {
  const auto& v = args.at(key);
  return v.is_array() ? v.get<std::vector<double>>() : std::vector<double>{v.get<double>()};
}

// The scheduler a fixture case names, built from its args like the Python side.
std::shared_ptr<void> make_schedule(const FixtureCase& c, Optimizer& opt,
                                    std::function<void(double)>& plateau_step) {
  const auto& a = c.args;
  const std::string name = c.name.substr(0, c.name.find(':'));
  if (name == "ConstantLR") return std::make_shared<ConstantLR>(opt, a.at("factor"), a.at("total_iters"));
  if (name == "StepLR") return std::make_shared<StepLR>(opt, a.at("step_size"), a.at("gamma"));
  if (name == "MultiStepLR")
    return std::make_shared<MultiStepLR>(opt, a.at("milestones").get<std::vector<int64_t>>(),
                                         a.at("gamma"));
  if (name == "ExponentialLR") return std::make_shared<ExponentialLR>(opt, a.at("gamma"));
  if (name == "LinearLR")
    return std::make_shared<LinearLR>(opt, a.value("start_factor", 1.0 / 3),
                                      a.value("end_factor", 1.0), a.value("total_iters", 5));
  if (name == "CosineAnnealingLR")
    return std::make_shared<CosineAnnealingLR>(opt, a.at("T_max"), a.at("eta_min"));
  if (name == "CosineAnnealingWarmRestarts")
    return std::make_shared<CosineAnnealingWarmRestarts>(opt, a.at("T_0"), a.at("T_mult"),
                                                         a.at("eta_min"));
  if (name == "CyclicLR") {
    CyclicLROptions o{.base_lr = doubles(a, "base_lr"), .max_lr = doubles(a, "max_lr"),
                      .step_size_up = a.at("step_size_up"), .mode = a.at("mode"),
                      .gamma = a.value("gamma", 1.0),
                      .cycle_momentum = a.value("cycle_momentum", false)};
    if (a.contains("step_size_down")) o.step_size_down = a.at("step_size_down").get<int64_t>();
    return std::make_shared<CyclicLR>(opt, o);
  }
  if (name == "OneCycleLR")
    return std::make_shared<OneCycleLR>(
        opt, OneCycleLROptions{.max_lr = doubles(a, "max_lr"), .total_steps = a.at("total_steps"),
                               .pct_start = a.value("pct_start", 0.3),
                               .anneal_strategy = a.value("anneal_strategy", std::string("cos")),
                               .div_factor = a.value("div_factor", 25.0),
                               .final_div_factor = a.value("final_div_factor", 1e4)});
  if (name == "SequentialLR") {
    auto warmup = std::make_shared<LinearLR>(opt, a.at("warmup_start_factor"), 1.0,
                                             a.at("warmup_iters"));
    auto cosine = std::make_shared<CosineAnnealingLR>(opt, a.at("T_max"));
    return std::make_shared<SequentialLR>(
        opt, std::vector<std::shared_ptr<LRScheduler>>{warmup, cosine},
        std::vector<int64_t>{a.at("warmup_iters").get<int64_t>()});
  }
  if (name == "ReduceLROnPlateau") {
    ReduceLROnPlateauOptions o{.mode = a.at("mode"), .factor = a.value("factor", 0.1),
                               .patience = a.at("patience"),
                               .threshold = a.value("threshold", 1e-4),
                               .threshold_mode = a.at("threshold_mode"),
                               .cooldown = a.value("cooldown", 0),
                               .min_lr = {a.value("min_lr", 0.0)}};
    auto plateau = std::make_shared<ReduceLROnPlateau>(opt, o);
    plateau_step = [plateau](double metric) { plateau->step(metric); };
    return plateau;
  }
  return nullptr;
}

std::vector<double> column(const std::vector<ParamGroup>& groups, const char* key) {
  std::vector<double> out;
  for (const ParamGroup& g : groups) out.push_back(g.options.at(key));
  return out;
}

void run_case(const FixtureCase& c) {
  SCOPED_TRACE(c.name);
  const Tensor a = zeros({2}, {.dtype = DType::f64, .requires_grad = true});
  const Tensor b = zeros({2}, {.dtype = DType::f64, .requires_grad = true});
  std::vector<ParamGroup> groups{{{a}, {{"lr", 0.1}}}, {{b}, {{"lr", 0.05}}}};
  const bool adam = c.args.at("adam").get<bool>();
  std::unique_ptr<Optimizer> opt;
  if (adam) opt = std::make_unique<Adam>(groups, AdamOptions{});
  else opt = std::make_unique<SGD>(groups, SGDOptions{.lr = 0.1, .momentum = 0.9});
  std::function<void(double)> plateau_step;
  auto schedule = make_schedule(c, *opt, plateau_step);
  ASSERT_TRUE(schedule) << "no schedule for " << c.name;
  auto* scheduler = plateau_step ? nullptr : static_cast<LRScheduler*>(schedule.get());
  const auto steps = c.args.at("steps").get<int64_t>();
  const auto expected = c.outputs[0].to_vector<double>();
  const std::vector<double> momenta =
      c.outputs.size() > 1 ? c.outputs[1].to_vector<double>() : std::vector<double>{};
  const std::vector<double> metrics =
      c.inputs.empty() ? std::vector<double>{} : c.inputs[0].to_vector<double>();
  const char* momentum_key = adam ? "beta1" : "momentum";
  for (int64_t i = 0; i <= steps; ++i) {
    if (i > 0) {
      opt->step();
      if (plateau_step) plateau_step(metrics[i - 1]);
      else scheduler->step();
    }
    const auto lrs = column(opt->param_groups(), "lr");
    for (size_t g = 0; g < 2; ++g) {
      EXPECT_NEAR(lrs[g], expected[2 * i + g], 1e-12 * expected[2 * i + g] + 1e-15)
          << "lr of group " << g << " after " << i << " steps";
      if (!momenta.empty()) {
        EXPECT_NEAR(column(opt->param_groups(), momentum_key)[g], momenta[2 * i + g], 1e-12)
            << "momentum of group " << g << " after " << i << " steps";
      }
    }
    if (scheduler) {
      EXPECT_EQ(scheduler->get_last_lr(), lrs);
    }
  }
}

}  // namespace

TEST(OptimSchedule, EveryScheduleMatchesPyTorchSequence) {
  const FixtureLoad& load = load_fixture("schedules.json");
  ASSERT_TRUE(load.ok()) << load.error;
  for (const FixtureCase& c : load.file.cases) run_case(c);
  EXPECT_EQ(load.file.cases.size(), 16u);
}

TEST(OptimSchedule, NotesDecaysAsLambdaSchedules) {
  const Tensor w = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  SGD sgd({w}, {.lr = 0.2});
  LambdaLR inverse_time(sgd, inverse_time_decay(0.5));  // η₀ / (1 + k t)
  for (int t = 1; t <= 4; ++t) {
    inverse_time.step();
    EXPECT_DOUBLE_EQ(sgd.param_groups()[0].lr(), 0.2 / (1 + 0.5 * t));
  }
  EXPECT_DOUBLE_EQ(exponential_decay(0.1)(3), std::exp(-0.3));
  EXPECT_DOUBLE_EQ(inverse_sqrt_decay(4)(2), 1.0);
  EXPECT_DOUBLE_EQ(inverse_sqrt_decay(4)(16), 0.5);
  EXPECT_DOUBLE_EQ(constant_decay()(100), 1.0);
}

TEST(OptimSchedule, StateDictResumesTheSequence) {
  const Tensor w = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  SGD a({w}, {.lr = 0.1}), b({w}, {.lr = 0.1});
  CosineAnnealingWarmRestarts sa(a, 3, 2, 0.01), sb(b, 3, 2, 0.01);
  for (int i = 0; i < 7; ++i) sa.step();
  b.load_state_dict(a.state_dict());
  sb.load_state_dict(sa.state_dict());
  for (int i = 0; i < 9; ++i) {
    sa.step();
    sb.step();
    EXPECT_EQ(sa.get_last_lr(), sb.get_last_lr()) << i;
  }
}

TEST(OptimSchedule, BadArgumentsNameTheSchedule) {
  const Tensor w = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  SGD sgd({w}, {.lr = 0.1});
  EXPECT_TRUE(throws_error_containing([&] { StepLR s(sgd, 0); }, {"StepLR", "step_size"}));
  EXPECT_TRUE(throws_error_containing([&] { ConstantLR s(sgd, 1.5); }, {"ConstantLR", "1.5"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { ReduceLROnPlateau s(sgd, {.mode = "lowest"}); }, {"ReduceLROnPlateau", "lowest"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { OneCycleLR s(sgd, {.max_lr = {0.1}, .total_steps = 3}); s.step(); s.step(); s.step(); s.step(); },
      {"OneCycleLR", "total steps is 3"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { CyclicLR s(sgd, {.base_lr = {0.1, 0.2, 0.3}, .max_lr = {1.0}}); },
      {"CyclicLR", "base_lr"}));
}

TEST(OptimSchedule, WarmRestartsStepAtRecomputesThePeriod) {
  // torch's CosineAnnealingWarmRestarts.step(epoch): T_cur and T_i from the epoch alone.
  const Tensor w = zeros({1}, {.dtype = DType::f64, .requires_grad = true});
  SGD sgd({w}, {.lr = 0.1});
  CosineAnnealingWarmRestarts warm(sgd, 3, 2, 0.01);
  auto lr = [](double t_cur, double t_i) {
    return 0.01 + (0.1 - 0.01) * (1 + std::cos(std::numbers::pi * t_cur / t_i)) / 2;
  };
  // epoch 10: n = int(log2(10/3 + 1)) = 2, T_cur = 10 - 3·(2² − 1) = 1, T_i = 3·2² = 12.
  warm.step_at(10);
  EXPECT_DOUBLE_EQ(warm.get_last_lr()[0], lr(1, 12));
  warm.step();  // continues the period T_i = 12 from T_cur = 1
  EXPECT_DOUBLE_EQ(warm.get_last_lr()[0], lr(2, 12));
  EXPECT_EQ(warm.last_epoch(), 11);
  warm.step_at(2);  // back in the first period
  EXPECT_DOUBLE_EQ(warm.get_last_lr()[0], lr(2, 3));
  warm.step();
  EXPECT_DOUBLE_EQ(warm.get_last_lr()[0], lr(0, 6));

  CosineAnnealingWarmRestarts flat(sgd, 4, 1, 0.01);  // T_mult = 1: T_cur = epoch % T_0
  flat.step_at(9);
  EXPECT_DOUBLE_EQ(flat.get_last_lr()[0], lr(1, 4));
}
