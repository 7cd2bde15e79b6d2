// Regression and multi-label datasets: make_target_dataset's checks, Friedman #1, image pairs,
// the loader's batches of float target rows, and bootstrap resamples (bagging).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "nabla/data/dataset.hpp"
#include "nabla/data/loader.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;

TEST(TargetDataset, ChecksShapesValuesAndNames) {
  const Tensor x = zeros({3, 2});
  const data::Dataset one = data::make_target_dataset(
      x, from_vector(std::vector<float>{1, 2, 3}), data::Task::regression, {"y"});
  EXPECT_EQ(one.targets.shape(), (Shape{3, 1}));  // [N] becomes [N, 1]
  EXPECT_EQ(one.num_classes, 1);
  EXPECT_EQ(one.subset({2, 0}).targets.to_vector<float>(), (std::vector<float>{3, 1}));
  EXPECT_EQ(one.subset({2}).task, data::Task::regression);
  EXPECT_TRUE(throws_error_containing(
      [&] { data::make_target_dataset(x, from_vector(std::vector<float>{1, NAN, 3}), data::Task::regression); },
      {"target 0 of row 1", "finite"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::make_target_dataset(x, from_vector(std::vector<float>{1, 0.5f, 0}), data::Task::multilabel); },
      {"label 0 of row 1", "0 or 1"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::make_target_dataset(x, zeros({2, 1}), data::Task::regression); }, {"[3, outputs]"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::make_target_dataset(x, zeros({3, 2}), data::Task::regression, {"a"}); },
      {"1 target names for 2 targets"}));
  EXPECT_TRUE(throws_error_containing([&] { data::select_classes(one, {0}); }, {"regression"}));
  EXPECT_EQ(data::parse_task("multilabel"), data::Task::multilabel);
  EXPECT_TRUE(throws_error_containing([&] { data::parse_task("ranking"); }, {"'ranking'", "regression"}));
}

TEST(Friedman1, FollowsItsFormulaAndTheSeed) {
  const data::Dataset d = data::friedman1(50, 7, 0.0, 3);
  EXPECT_EQ(d.inputs.shape(), (Shape{50, 7}));
  EXPECT_EQ(d.task, data::Task::regression);
  const std::vector<float> x = d.inputs.to_vector<float>(), y = d.targets.to_vector<float>();
  for (int64_t i = 0; i < 50; ++i) {
    const float* r = x.data() + i * 7;
    for (int64_t j = 0; j < 7; ++j) EXPECT_TRUE(r[j] >= 0 && r[j] < 1);
    const double expected = 10 * std::sin(std::numbers::pi * r[0] * r[1]) +
                            20 * (r[2] - 0.5) * (r[2] - 0.5) + 10 * r[3] + 5 * r[4];
    EXPECT_NEAR(y[i], expected, 1e-4);
  }
  EXPECT_EQ(data::friedman1(50, 7, 0.0, 3).inputs.to_vector<float>(), x);
  EXPECT_NE(data::friedman1(50, 7, 0.0, 4).inputs.to_vector<float>(), x);
  EXPECT_TRUE(throws_error_containing([] { data::friedman1(10, 4); }, {"features", "[5, 4096]"}));
}

TEST(ImagePairs, PutsTwoImagesSideBySideWithBothLabels) {
  // Four 1x2x2 images whose pixels name their row, classes 0, 1, 2, 1.
  std::vector<float> pixels;
  for (int i = 0; i < 4; ++i)
    for (int p = 0; p < 4; ++p) pixels.push_back(static_cast<float>(10 * i + p));
  const data::Dataset images = data::make_dataset(from_vector(pixels, {4, 1, 2, 2}),
                                                  from_vector(std::vector<int64_t>{0, 1, 2, 1}), 3);
  const data::Dataset pairs = data::image_pairs(images, 20, 7);
  EXPECT_EQ(pairs.inputs.shape(), (Shape{20, 1, 2, 4}));
  EXPECT_EQ(pairs.task, data::Task::multilabel);
  const std::vector<float> in = pairs.inputs.to_vector<float>(), hot = pairs.targets.to_vector<float>();
  const int64_t classes[4] = {0, 1, 2, 1};
  for (int64_t i = 0; i < 20; ++i) {
    const float* s = in.data() + i * 8;
    const auto left = static_cast<int64_t>(s[0]) / 10, right = static_cast<int64_t>(s[2]) / 10;
    EXPECT_EQ(s[1], 10 * left + 1);   // row 0 of the left image, then of the right one
    EXPECT_EQ(s[4], 10 * left + 2);   // row 1
    EXPECT_EQ(s[7], 10 * right + 3);
    for (int64_t c = 0; c < 3; ++c)
      EXPECT_EQ(hot[i * 3 + c], (c == classes[left] || c == classes[right]) ? 1.0f : 0.0f);
  }
}

TEST(TargetDataset, LoaderBatchesFloatTargetRows) {
  std::vector<float> y;
  for (int i = 0; i < 10; ++i) y.insert(y.end(), {static_cast<float>(i), static_cast<float>(-i)});
  std::vector<float> x(10);
  for (int i = 0; i < 10; ++i) x[i] = static_cast<float>(i);
  const data::Dataset d = data::make_target_dataset(from_vector(x, {10, 1}), from_vector(y, {10, 2}),
                                                    data::Task::regression);
  data::DataLoader loader(d, {.batch_size = 4, .shuffle = true, .seed = 1});
  loader.start_epoch(0);
  int64_t rows = 0;
  while (auto batch = loader.next()) {
    const std::vector<float> inputs = batch->inputs.to_vector<float>();
    const std::vector<float> targets = batch->targets.to_vector<float>();
    ASSERT_EQ(batch->targets.shape(), (Shape{batch->inputs.size(0), 2}));
    for (size_t k = 0; k < inputs.size(); ++k) {
      EXPECT_EQ(targets[2 * k], inputs[k]);  // each row's targets travel with its input
      EXPECT_EQ(targets[2 * k + 1], -inputs[k]);
    }
    rows += batch->inputs.size(0);
  }
  EXPECT_EQ(rows, 10);
}

TEST(Bootstrap, DrawsRowsWithReplacementFromItsOwnSeededStream) {
  std::vector<float> x(1000);
  std::vector<int64_t> y(1000);
  for (int i = 0; i < 1000; ++i) x[i] = static_cast<float>(i), y[i] = i % 3;
  const data::Dataset d = data::make_dataset(from_vector(x, {1000, 1}), from_vector(y, {1000}), 3);
  const data::Dataset a = data::bootstrap(d, 5);
  EXPECT_EQ(a.size(), 1000);
  std::vector<int> seen(1000, 0);
  const std::vector<float> rows = a.inputs.to_vector<float>();
  const std::vector<int64_t> labels = a.targets.to_vector<int64_t>();
  for (size_t k = 0; k < rows.size(); ++k) {
    ++seen[static_cast<size_t>(rows[k])];
    EXPECT_EQ(labels[k], static_cast<int64_t>(rows[k]) % 3);  // each row keeps its target
  }
  const auto distinct = std::count_if(seen.begin(), seen.end(), [](int c) { return c > 0; });
  EXPECT_NEAR(static_cast<double>(distinct) / 1000, 1 - std::exp(-1.0), 0.04);  // 63.2%
  EXPECT_EQ(data::bootstrap(d, 5).inputs.to_vector<float>(), rows);
  EXPECT_NE(data::bootstrap(d, 6).inputs.to_vector<float>(), rows);
  EXPECT_EQ(a.num_classes, 3);
}
