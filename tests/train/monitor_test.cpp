// The training monitor: update/weight ratios, activation and gradient histograms, dead ReLUs.
#include "nabla/train/monitor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <numeric>

#include "support/harness.hpp"
#include "train_test_util.hpp"

using namespace nabla;
using nabla::testing::f64;
using nabla::train_test::quiet;
using ::testing::HasSubstr;

namespace {

int64_t total(const report::Histogram& h) {
  return std::accumulate(h.counts.begin(), h.counts.end(), int64_t{0});
}

const report::Histogram* find(const std::vector<report::Histogram>& list, const std::string& name) {
  for (const auto& h : list)
    if (h.name == name) return &h;
  return nullptr;
}

}  // namespace

TEST(Monitor, HistogramBinsEveryFiniteValue) {
  const Tensor values = f64({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, NAN}, {11});
  const report::Histogram h = train::histogram("x", values, 10);
  EXPECT_EQ(h.name, "x");
  EXPECT_EQ(h.low, 0.0);
  EXPECT_EQ(h.high, 9.0);
  EXPECT_EQ(total(h), 10);  // NaN skipped
  for (int64_t count : h.counts) EXPECT_EQ(count, 1);  // 9 falls in the last, closed bin
  const report::Histogram flat = train::histogram("c", full({3, 4}, 2.0), 30);
  EXPECT_EQ(flat.low, 1.5);
  EXPECT_EQ(flat.high, 2.5);
  EXPECT_EQ(flat.counts[15], 12);
}

TEST(Monitor, DeadUnitFractionPerFeatureAndPerChannel) {
  // [B=2, F=3]: feature 1 is 0 in both rows, feature 2 only in one.
  EXPECT_DOUBLE_EQ(train::dead_unit_fraction(f64({1, 0, 0, 2, 0, 5}, {2, 3})), 1.0 / 3);
  // [B=2, C=2, 2]: channel 0 has one non-zero position in sample 1; channel 1 is all zero.
  Tensor conv = zeros({2, 2, 2});
  conv.data<float>()[4 + 1] = 0.5f;
  EXPECT_DOUBLE_EQ(train::dead_unit_fraction(conv), 0.5);
  EXPECT_DOUBLE_EQ(train::dead_unit_fraction(scalar_tensor(0.0)), 0.0);
}

TEST(Monitor, UpdateRatio) {
  EXPECT_NEAR(train::update_ratio(f64({3, 4}, {2}), f64({3, 4.005}, {2})), 0.001, 1e-12);
  EXPECT_DOUBLE_EQ(train::update_ratio(zeros({2}), f64({3, 4}, {2})), 1.0);
  EXPECT_DOUBLE_EQ(train::update_ratio(zeros({2}), zeros({2})), 0.0);
  EXPECT_TRUE(train::update_ratio_flagged(2e-2));
  EXPECT_FALSE(train::update_ratio_flagged(2e-3));
}

TEST(Monitor, ModuleNamesAreDotted) {
  auto model = train_test::spiral_mlp(4);
  const auto names = train::module_names(*model);
  EXPECT_EQ(names.at(model.get()), "");
  EXPECT_EQ(names.at((*model)[1].get()), "1");
  EXPECT_TRUE(train::is_monitored_layer("BatchNorm2d"));
  EXPECT_FALSE(train::is_monitored_layer("Dropout"));
}

TEST(Monitor, TrainerTakesRatiosHistogramsAndDeadReluOncePerEpoch) {
  set_num_threads(1);
  manual_seed(0);
  const data::Dataset data = train_test::spirals(20);  // 40 rows: batches 16, 16, 8
  data::DataLoader loader(data, train_test::loader_options(16));
  auto model = std::make_shared<nn::Sequential>();
  auto first = std::make_shared<nn::Linear>(2, 6);
  model->push_back(first);
  model->push_back(std::make_shared<nn::ReLU>());
  model->push_back(std::make_shared<nn::Linear>(6, 2));
  {
    autograd::NoGradGuard no_grad;
    first->bias.detach().fill_(-100.0);  // every unit of the ReLU after it is dead
  }
  std::ostringstream out;
  auto sgd = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1});
  train::Trainer trainer(model, std::move(sgd), train::cross_entropy_loss(), quiet(out, 2));
  EXPECT_EQ(trainer.last_monitor().epoch, 0);
  const train::History history = trainer.fit(loader);
  const train::MonitorSnapshot& m = trainer.last_monitor();
  EXPECT_EQ(m.epoch, 2);
  EXPECT_EQ(m.step, 6);

  const std::vector<std::string> params = {"0.weight", "0.bias", "2.weight", "2.bias"};
  ASSERT_EQ(m.update_ratio.size(), 4u);
  for (size_t i = 0; i < params.size(); ++i) EXPECT_EQ(m.update_ratio[i].first, params[i]);
  EXPECT_EQ(m.update_ratio[0].second, 0.0);  // no gradient through dead units
  EXPECT_GT(m.update_ratio[3].second, 0.0);
  for (const auto& record : history.epochs) EXPECT_EQ(record.update_ratio.size(), 4u);
  // The dead first layer feeds zeros to the second: no weight can change, and the warning says so.
  EXPECT_EQ(m.update_ratio[2].second, 0.0);
  EXPECT_THAT(out.str(), HasSubstr("update/weight ratios are 0"));

  ASSERT_EQ(m.dead_relu_fraction.size(), 1u);
  EXPECT_EQ(m.dead_relu_fraction[0].first, "1");
  EXPECT_DOUBLE_EQ(m.dead_relu_fraction[0].second, 1.0);

  ASSERT_EQ(m.activation_histograms.size(), 3u);
  const report::Histogram* linear = find(m.activation_histograms, "0 (Linear)");
  ASSERT_NE(linear, nullptr);
  EXPECT_EQ(total(*linear), 8 * 6);  // the epoch's last batch: 8 rows x 6 units
  ASSERT_NE(find(m.activation_histograms, "1 (ReLU)"), nullptr);
  EXPECT_EQ(find(m.activation_histograms, "2 (Linear)")->counts.size(), 30u);
  ASSERT_EQ(m.gradient_histograms.size(), 4u);
  EXPECT_EQ(m.gradient_histograms[0].name, "0.weight");
  EXPECT_EQ(total(m.gradient_histograms[0]), 12);
  EXPECT_EQ(total(m.gradient_histograms[2]), 12);

  report::RunRecord record;
  train::fill_run_record(history, m, record);
  EXPECT_EQ(record.epoch, (std::vector<double>{1, 2}));
  EXPECT_EQ(record.step_loss.size(), 6u);
  ASSERT_EQ(record.update_ratios.size(), 4u);
  EXPECT_EQ(record.update_ratios[0].first, "0.weight");
  EXPECT_EQ(record.update_ratios[0].second.size(), 2u);
  EXPECT_EQ(record.dead_relu_fraction.size(), 1u);
  EXPECT_EQ(record.activation_histograms.size(), 3u);
}

TEST(Monitor, OffMeansNothingIsTaken) {
  set_num_threads(1);
  manual_seed(1);
  const data::Dataset data = train_test::spirals(8);
  data::DataLoader loader(data, train_test::loader_options(8));
  auto model = train_test::spiral_mlp(4);
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 1);
  options.monitor = false;
  auto sgd = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1});
  train::Trainer trainer(model, std::move(sgd), train::cross_entropy_loss(), options);
  const train::History history = trainer.fit(loader);
  EXPECT_EQ(trainer.last_monitor().epoch, 0);
  EXPECT_TRUE(history.epochs[0].update_ratio.empty());
}
