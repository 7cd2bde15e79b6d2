// Regression and multi-label metrics (src/train/task_metrics.cpp) against values worked out by
// hand and scikit-learn's documented examples, and the training loop's hit count per task.
#include <cmath>

#include "nabla/train/metrics.hpp"
#include <gtest/gtest.h>

#include "support/harness.hpp"

using namespace nabla;
using train::MultilabelMetrics;
using train::RegressionMetrics;

namespace {

Tensor matrix(const std::vector<float>& values, int64_t rows) {
  return from_vector(values, {rows, static_cast<int64_t>(values.size()) / rows});
}

}  // namespace

TEST(RegressionMetrics, RmseMaeAndR2OfTwoTargets) {
  RegressionMetrics m(2);
  // Target 0: y = 1, 2, 3, 4 predicted 1, 2, 3, 5; target 1: y = 0, 0, 1, 1 predicted all 0.5.
  m.add(matrix({1, 0.5f, 2, 0.5f}, 2), matrix({1, 0, 2, 0}, 2), 0.25);  // in two batches
  m.add(matrix({3, 0.5f, 5, 0.5f}, 2), matrix({3, 1, 4, 1}, 2), 0.75);
  EXPECT_EQ(m.count(), 4);
  EXPECT_DOUBLE_EQ(m.loss(), 0.25);
  const std::vector<double> rmse = m.rmse_per_target(), mae = m.mae_per_target(), r2 = m.r2_per_target();
  EXPECT_DOUBLE_EQ(rmse[0], 0.5);  // sqrt(1 / 4)
  EXPECT_DOUBLE_EQ(rmse[1], 0.5);
  EXPECT_DOUBLE_EQ(mae[0], 0.25);
  EXPECT_DOUBLE_EQ(mae[1], 0.5);
  EXPECT_DOUBLE_EQ(r2[0], 1.0 - 1.0 / 5.0);  // Σ(y - ȳ)² = 2.25 + 0.25 + 0.25 + 2.25 = 5
  EXPECT_DOUBLE_EQ(r2[1], 0.0);              // predicting the mean
  EXPECT_DOUBLE_EQ(m.rmse(), 0.5);           // every value pooled: sqrt(2 / 8)
  EXPECT_DOUBLE_EQ(m.mae(), 0.375);
  EXPECT_DOUBLE_EQ(m.r2(), 0.4);  // sklearn's uniform average of 0.8 and 0
}

TEST(RegressionMetrics, LargeOffsetsDoNotCancel) {
  RegressionMetrics m(1);
  m.add(matrix({1e7f + 1, 1e7f + 1}, 2), matrix({1e7f + 1, 1e7f + 3}, 2));
  EXPECT_NEAR(m.r2_per_target()[0], 1.0 - 4.0 / 2.0, 1e-9);  // Σ(y - ȳ)² = 2, Σe² = 4
}

TEST(RegressionMetrics, ConstantTargetHasNoR2AndShapesAreChecked) {
  RegressionMetrics m(1);
  m.add(matrix({1, 3}, 2), matrix({2, 2}, 2));
  EXPECT_TRUE(std::isnan(m.r2()));
  EXPECT_TRUE(std::isnan(RegressionMetrics(1).rmse()));  // nothing added
  EXPECT_TRUE(nabla::testing::throws_error_containing(
      [&] { m.add(matrix({1, 2, 3, 4}, 2), matrix({1, 2, 3, 4}, 2)); }, {"2 outputs", "1"}));
}

TEST(MultilabelMetrics, AveragePrecisionMatchesScikitLearnsExample) {
  // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333...
  MultilabelMetrics m(1);
  const std::vector<float> p = {0.1f, 0.4f, 0.35f, 0.8f};
  std::vector<float> logits;
  for (float v : p) logits.push_back(std::log(v / (1 - v)));
  m.add(matrix(logits, 4), matrix({0, 0, 1, 1}, 4));
  EXPECT_NEAR(m.average_precision()[0], 0.5 * 1.0 + 0.5 * (2.0 / 3.0), 1e-12);
  // Threshold 0.5: only 0.8 is predicted: precision 1, recall 1/2, F1 2/3.
  EXPECT_DOUBLE_EQ(m.precision()[0], 1.0);
  EXPECT_DOUBLE_EQ(m.recall()[0], 0.5);
  EXPECT_NEAR(m.f1()[0], 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(m.label_accuracy(), 0.75);
}

TEST(MultilabelMetrics, TiedScoresShareAThreshold) {
  // Scores 1, 1 (one positive, one negative), then 0 (positive): sklearn gives
  // 0.5 * (1/2) + 0.5 * (2/3) = 0.58333...
  MultilabelMetrics m(1);
  m.add(matrix({1, 1, 0}, 3), matrix({1, 0, 1}, 3));
  EXPECT_NEAR(m.average_precision()[0], 0.5 * 0.5 + 0.5 * (2.0 / 3.0), 1e-12);
}

TEST(MultilabelMetrics, PerLabelScoresSubsetAccuracyAndAverages) {
  MultilabelMetrics m(3);
  // Rows (targets | logits): label 2 never occurs and is never predicted.
  m.add(matrix({2, -1, -3, /**/ 1, 2, -2, /**/ -1, 3, -1}, 3),
        matrix({1, 0, 0, /**/ 0, 1, 0, /**/ 1, 1, 0}, 3));
  EXPECT_EQ(m.support(), (std::vector<int64_t>{2, 2, 0}));
  EXPECT_DOUBLE_EQ(m.precision()[0], 0.5);  // predicted rows 0 and 1, right on row 0
  EXPECT_DOUBLE_EQ(m.recall()[0], 0.5);     // missed row 2
  EXPECT_DOUBLE_EQ(m.precision()[1], 1.0);
  EXPECT_DOUBLE_EQ(m.recall()[1], 1.0);
  EXPECT_TRUE(std::isnan(m.precision()[2]) && std::isnan(m.recall()[2]) && std::isnan(m.f1()[2]));
  EXPECT_TRUE(std::isnan(m.average_precision()[2]));
  EXPECT_DOUBLE_EQ(m.subset_accuracy(), 1.0 / 3.0);  // only row 0 is right on every label
  EXPECT_DOUBLE_EQ(m.label_accuracy(), 7.0 / 9.0);
  EXPECT_DOUBLE_EQ(m.macro_f1(), (0.5 + 1.0) / 2.0);  // label 2 has no F1
  EXPECT_DOUBLE_EQ(m.micro_f1(), 2.0 * 3 / (4 + 4));  // TP 3, predicted 4, positives 4
  // AP of label 0: ranked 2 (positive), 1 (negative), -1 (positive); label 1's positives lead.
  EXPECT_NEAR(m.average_precision()[0], 0.5 * 1.0 + 0.5 * (2.0 / 3.0), 1e-12);
  EXPECT_DOUBLE_EQ(m.mean_average_precision(), (m.average_precision()[0] + 1.0) / 2.0);
}

TEST(TaskHits, CountsWhatEachTaskDecides) {
  const Tensor logits = matrix({2, -1, -3, 0.5f}, 2);
  const auto classes = train::count_hits(data::Task::classification, logits,
                                         from_vector(std::vector<int64_t>{0, 0}));
  EXPECT_EQ(classes.correct, 1);
  EXPECT_EQ(classes.total, 2);
  const auto labels = train::count_hits(data::Task::multilabel, logits, matrix({1, 0, 0, 0}, 2));
  EXPECT_EQ(labels.correct, 3);  // row 1's second logit 0.5 > 0 says 1, the target 0
  EXPECT_EQ(labels.total, 4);
  const auto values = train::count_hits(data::Task::regression, logits, logits);
  EXPECT_EQ(values.total, 0);
}
