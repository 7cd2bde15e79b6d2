// UpdateRatioCheck, the trainer's update/weight-ratio warning: silent through warm-up, annealing
// and single noisy epochs of healthy runs; loud for a learning rate 100x too high or 1000x too
// low (synthetic ratio sequences, then real spiral runs through `nabla train`).
#include <cmath>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/train/monitor.hpp"
#include "support/command.hpp"

using namespace nabla;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

using Ratios = std::vector<std::pair<std::string, double>>;

// Three weight tensors around `ratio`, spread over half a decade as real layers are.
Ratios layers(double ratio) { return {{"0.weight", ratio * 2}, {"3.weight", ratio}, {"6.weight", ratio / 3}}; }

// Epoch-end observations of a run at peak lr 0.1 whose ratio is `healthy` times lr / peak:
// returns every warning given.
std::vector<std::string> run(train::UpdateRatioCheck& check, const std::vector<double>& lrs,
                             double healthy) {
  std::vector<std::string> warnings;
  for (const double lr : lrs) {
    const std::string line = check.observe(layers(healthy * lr / 0.1), lr, false);
    if (!line.empty()) warnings.push_back(line);
  }
  return warnings;
}

std::vector<double> cosine(int epochs, double peak) {  // annealed to ~1% of the peak
  std::vector<double> lrs;
  for (int e = 0; e < epochs; ++e) lrs.push_back(peak * (1 + std::cos(M_PI * e / epochs)) / 2);
  return lrs;
}

std::vector<double> one_cycle(int epochs, double peak) {  // from peak / 25 up, then down to ~0
  std::vector<double> lrs;
  for (int e = 0; e < epochs; ++e) {
    const double t = (e + 1.0) / epochs;
    lrs.push_back(t < 0.3 ? peak / 25 + (peak - peak / 25) * t / 0.3
                          : peak * (1 + std::cos(M_PI * (t - 0.3) / 0.7)) / 2 + peak * 1e-5);
  }
  return lrs;
}

TEST(UpdateRatioCheck, AScheduleIsNoAlarm) {
  train::UpdateRatioCheck annealed(0.1);
  EXPECT_TRUE(run(annealed, cosine(20, 0.1), 3e-3).empty());
  train::UpdateRatioCheck warm(0.1);
  EXPECT_TRUE(run(warm, one_cycle(15, 0.1), 3e-3).empty());
  // The same ratios judged without the schedule (the old check) would have warned: at 1% of
  // the peak the raw ratio is 3e-5.
  train::UpdateRatioCheck unscaled(0.0);
  EXPECT_FALSE(run(unscaled, cosine(20, 0.1), 3e-3).empty());
}

TEST(UpdateRatioCheck, OneNoisyEpochIsNoAlarmTwoAre) {
  train::UpdateRatioCheck check(0.1);
  EXPECT_EQ(check.observe(layers(3e-3), 0.1, false), "");
  EXPECT_EQ(check.observe(layers(0.3), 0.1, false), "");  // one epoch above 1e-1
  EXPECT_EQ(check.observe(layers(3e-3), 0.1, false), "");
  EXPECT_EQ(check.observe(layers(5e-5), 0.1, false), "");  // one below 1e-4
  const std::string low = check.observe(layers(5e-5), 0.1, false);
  EXPECT_THAT(low, HasSubstr("for 2 epochs"));
  EXPECT_THAT(low, HasSubstr("learning rate may be too low"));
  EXPECT_THAT(low, HasSubstr("3.weight 5e-05"));
  EXPECT_EQ(check.observe(layers(5e-5), 0.1, false), "") << "said once per episode";
  EXPECT_EQ(check.observe(layers(3e-3), 0.1, false), "");
  EXPECT_EQ(check.observe(layers(5e-5), 0.1, false), "");  // hovering at the edge: not again
  EXPECT_EQ(check.observe(layers(5e-5), 0.1, false), "");
  EXPECT_EQ(check.observe(layers(3e-3), 0.1, false), "");
  EXPECT_EQ(check.observe(layers(3e-3), 0.1, false), "");  // two epochs back: re-armed
  EXPECT_EQ(check.observe(layers(0.5), 0.1, false), "");
  EXPECT_THAT(check.observe(layers(0.5), 0.1, false), HasSubstr("learning rate may be too high"));
}

TEST(UpdateRatioCheck, LearningRate100xTooHighOr1000xTooLowWarns) {
  // lr x100 of a run healthy at 3e-3: SGD's ratio scales with it (0.3) — two epochs.
  train::UpdateRatioCheck high(10.0);
  const auto high_warnings = run(high, cosine(10, 10.0), 0.3);
  ASSERT_EQ(high_warnings.size(), 1u);
  EXPECT_THAT(high_warnings[0], HasSubstr("learning rate may be too high"));
  // lr / 1000: 3e-6, 10x beyond the band: the first epoch already.
  train::UpdateRatioCheck low(1e-4);
  EXPECT_THAT(low.observe(layers(3e-6), 1e-4, false), HasSubstr("learning rate may be too low"));
  // The first step of a run: only a change as large as the weights themselves.
  train::UpdateRatioCheck first(0.1);
  EXPECT_EQ(first.observe(layers(0.05), 0.1, true), "");
  EXPECT_THAT(first.observe(layers(2.7), 0.1, true), HasSubstr("on the first step"));
}

TEST(UpdateRatioCheck, MedianScalingZeroAndState) {
  train::UpdateRatioCheck check(0.1);
  EXPECT_DOUBLE_EQ(check.scaled_ratio({{"a", 1e-3}, {"b", 9e-3}, {"c", 1.0}}, 0.01), 9e-2);
  EXPECT_DOUBLE_EQ(check.scaled_ratio({{"a", 1e-4}, {"b", 1e-2}}, 0.1), 1e-3);  // geometric
  EXPECT_DOUBLE_EQ(check.scaled_ratio({{"a", 0.0}, {"b", 1e-2}}, 0.1), 1e-2);   // one dead
  EXPECT_TRUE(std::isnan(check.scaled_ratio({}, 0.1)));
  EXPECT_TRUE(std::isnan(check.scaled_ratio({{"a", 1e-3}}, 0.0)));  // lr 0: nothing to judge
  EXPECT_THAT(check.observe({{"a", 0.0}, {"b", 0.0}}, 0.1, false),
              HasSubstr("update/weight ratios are 0"));

  train::UpdateRatioCheck a(0.1), b(0.1);
  a.observe(layers(0.5), 0.1, false);
  b.load_state(a.state());
  EXPECT_THAT(b.observe(layers(0.5), 0.1, false), HasSubstr("for 2 epochs"));
  EXPECT_THROW(b.load_state({1.0}), Error);
}

// Real runs of the shipped spiral example (Adam, lr 0.01, 200 epochs): silent as committed,
// warned at lr x100 and lr / 1000.
TEST(UpdateRatioCheck, SpiralWarnsOnlyWhenTheLearningRateIsWrong) {
  using testing_cli::run_nabla;
  const std::string config = std::string(NABLA_EXAMPLES_DIR) + "/spiral.toml";
  const std::string dir = testing_cli::fresh_dir("ratio_spiral");
  const auto train = [&](const std::string& lr) {
    const testing_cli::CommandResult r =
        run_nabla({"train", config, "--out", dir + "/" + lr, "--set", "optimizer.lr=" + lr});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.err;
  };
  EXPECT_THAT(train("0.01"), Not(HasSubstr("update/weight")));
  EXPECT_THAT(train("1.0"), HasSubstr("update/weight ratios on the first step"));
  EXPECT_THAT(train("1e-05"), HasSubstr("learning rate may be too low"));
  std::filesystem::remove_all(dir);
}

}  // namespace
