// ClassificationMetrics on hand-worked examples.
#include "nabla/train/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::f64;
using nabla::testing::i64;
using nabla::testing::throws_error_containing;

namespace {

// Rows: correct; wrong (1 beats 2); a tie 0/1 resolved to the first index; correct.
Tensor four_logits() {
  return f64({2, 1, 0,  //
              0, 3, 1,  //
              1, 1, 0,  //
              0, 0, 5},
             {4, 3});
}

}  // namespace

TEST(ClassificationMetrics, AccuracyConfusionAndPerClassOnAHandWorkedBatch) {
  train::ClassificationMetrics metrics(3);
  EXPECT_TRUE(std::isnan(metrics.accuracy()));
  EXPECT_TRUE(std::isnan(metrics.loss()));
  metrics.add(four_logits(), i64({0, 2, 1, 2}, {4}), /*batch_loss_sum=*/2.0);
  EXPECT_EQ(metrics.count(), 4);
  EXPECT_DOUBLE_EQ(metrics.accuracy(), 0.5);
  EXPECT_DOUBLE_EQ(metrics.loss(), 0.5);
  EXPECT_DOUBLE_EQ(metrics.top_k_accuracy(), 1.0);  // k = min(5, 3): every class is in
  const std::vector<std::vector<int64_t>> confusion = {{1, 0, 0}, {1, 0, 0}, {0, 1, 1}};
  EXPECT_EQ(metrics.confusion(), confusion);
  const std::vector<double> per_class = metrics.per_class_accuracy();
  EXPECT_DOUBLE_EQ(per_class[0], 1.0);
  EXPECT_DOUBLE_EQ(per_class[1], 0.0);
  EXPECT_DOUBLE_EQ(per_class[2], 0.5);

  // Accumulates across batches: one more correct row of class 1.
  metrics.add(f64({0, 9, 0}, {1, 3}).to(DType::f32), i64({1}, {1}), 1.0);
  EXPECT_DOUBLE_EQ(metrics.accuracy(), 3.0 / 5);
  EXPECT_DOUBLE_EQ(metrics.loss(), 3.0 / 5);
  EXPECT_DOUBLE_EQ(metrics.per_class_accuracy()[1], 0.5);
}

TEST(ClassificationMetrics, TopFiveAndAClassWithoutSamples) {
  train::ClassificationMetrics metrics(6);
  // Descending logits: class 5 ranks sixth (outside the top 5), class 4 fifth (inside).
  const Tensor logits = f64({6, 5, 4, 3, 2, 1, 6, 5, 4, 3, 2, 1}, {2, 6});
  metrics.add(logits, i64({5, 4}, {2}));
  EXPECT_DOUBLE_EQ(metrics.accuracy(), 0.0);
  EXPECT_DOUBLE_EQ(metrics.top_k_accuracy(), 0.5);
  EXPECT_TRUE(std::isnan(metrics.per_class_accuracy()[0]));  // no sample of class 0
  EXPECT_DOUBLE_EQ(metrics.per_class_accuracy()[4], 0.0);
}

TEST(ClassificationMetrics, TiesRankByIndexSoTopOneEqualsAccuracy) {
  train::ClassificationMetrics metrics(2);
  metrics.add(f64({1, 1, 1, 1}, {2, 2}), i64({0, 1}, {2}));  // both predict class 0
  EXPECT_DOUBLE_EQ(metrics.accuracy(), 0.5);
  train::ClassificationMetrics wide(7);
  wide.add(f64(std::vector<double>(7, 0.0), {1, 7}), i64({6}, {1}));
  EXPECT_DOUBLE_EQ(wide.top_k_accuracy(), 0.0);  // 6 classes tie and rank above class 6
}

TEST(ClassificationMetrics, SoftTargetsCountAsTheirArgmax) {
  train::ClassificationMetrics metrics(3);
  const Tensor probabilities = f64({0.9, 0.1, 0.0, 0.2, 0.3, 0.5}, {2, 3}).to(DType::f32);
  metrics.add(f64({3, 0, 0, 0, 2, 1}, {2, 3}), probabilities);
  EXPECT_DOUBLE_EQ(metrics.accuracy(), 0.5);  // row 0 right (0), row 1 predicts 1 for class 2
  EXPECT_EQ(metrics.confusion()[2][1], 1);
  EXPECT_EQ(train::correct_predictions(f64({3, 0, 0, 0, 2, 1}, {2, 3}), probabilities), 1);
}

TEST(ClassificationMetrics, CorrectPredictionsCountsArgmaxHits) {
  EXPECT_EQ(train::correct_predictions(four_logits(), i64({0, 2, 1, 2}, {4})), 2);
}

TEST(ClassificationMetrics, BadShapesAndTargetsAreClearErrors) {
  train::ClassificationMetrics metrics(3);
  EXPECT_TRUE(throws_error_containing([&] { metrics.add(four_logits(), i64({0, 3, 1, 2}, {4})); },
                                      {"target 3", "row 1", "[0, 3)"}));
  EXPECT_TRUE(throws_error_containing([&] { metrics.add(four_logits(), i64({0, 1}, {2})); },
                                      {"4 rows", "2 targets"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { metrics.add(f64({1, 2, 3, 4}, {2, 2}), i64({0, 1}, {2})); }, {"2 classes", "3"}));
  EXPECT_TRUE(throws_error_containing([&] { metrics.add(f64({1, 2, 3}, {3}), i64({0}, {1})); },
                                      {"logits [B, C]"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { metrics.add(four_logits(), f64({0, 1, 1, 2}, {4})); }, {"int64"}));
  EXPECT_TRUE(throws_error_containing([] { train::ClassificationMetrics bad(0); },
                                      {"num_classes must be >= 1"}));
}
