// Metrics of the three tasks, accumulated batch by batch: classification (accuracy, top-k
// accuracy, per-class accuracy, the confusion matrix), regression (RMSE, MAE, R²) and
// multi-label (per-label precision / recall / F1, average precision).
//
//   train::ClassificationMetrics metrics(10);
//   for (...) metrics.add(logits /*[B, 10]*/, labels /*[B] int64*/, loss.item() * B);
//   metrics.accuracy();           // fraction in [0, 1]
//   metrics.confusion()[3][5];    // samples of class 3 predicted as 5
//
// The predicted class is the first index of the largest logit (argmax, as torch). Top-k uses
// the same order: the target is in the top k when fewer than k classes rank above it, where a
// class ranks above the target when its logit is larger, or equal with a smaller index (so
// top-1 accuracy equals accuracy even with ties). Probability targets [B, C] (mixup, label
// smoothing by hand) count as their argmax class.
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <string>
#include <vector>

#include "nabla/data/dataset.hpp"
#include "nabla/tensor.hpp"

namespace nabla::train {

// Accumulates logits [B, C] (f32 or f64) against class targets [B] (int64, each in [0, C)) or
// probabilities [B, C] (their argmax is the class). C must equal num_classes; any mismatch is
// an Error naming the shapes.
class ClassificationMetrics {
 public:
  explicit ClassificationMetrics(int64_t num_classes);
  // batch_loss_sum: the sum of the batch's per-sample losses (mean loss x B).
  void add(const Tensor& logits, const Tensor& targets, double batch_loss_sum = 0.0);
  int64_t count() const { return count_; }
  // Each of these is NaN before the first add().
  double loss() const;  // mean of the per-sample losses passed in
  double accuracy() const;
  double top_k_accuracy() const;  // k = min(5, C)
  std::vector<double> per_class_accuracy() const;  // recall per class; NaN for a class with no samples
  const std::vector<std::vector<int64_t>>& confusion() const { return confusion_; }  // [true][pred]

 private:
  int64_t classes_;
  int64_t count_ = 0, correct_ = 0, top_k_correct_ = 0;
  double loss_sum_ = 0.0;
  std::vector<std::vector<int64_t>> confusion_;
};

// How many rows of logits [B, C] have their argmax equal to the target class (targets as in
// ClassificationMetrics::add). The training loop's per-step accuracy; no confusion matrix.
int64_t correct_predictions(const Tensor& logits, const Tensor& targets);

// Regression: outputs [B, T] against targets [B, T] (both floating). Per target t over the
// rows: RMSE = sqrt(mean (y - ŷ)²), MAE = mean |y - ŷ|, R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)² (as
// sklearn's r2_score: 1 for a perfect fit, 0 for predicting the mean; NaN for a constant target).
// The overall RMSE and MAE pool every value; the overall R² is the mean of the targets' R²
// (sklearn's multioutput = "uniform_average"). Sums are float64, shifted by the first row's
// targets so that large offsets do not cancel.
class RegressionMetrics {
 public:
  explicit RegressionMetrics(int64_t targets);
  void add(const Tensor& outputs, const Tensor& targets, double batch_loss_sum = 0.0);
  int64_t count() const { return count_; }
  double loss() const;
  double rmse() const;
  double mae() const;
  double r2() const;
  std::vector<double> rmse_per_target() const, mae_per_target() const, r2_per_target() const;

 private:
  int64_t targets_, count_ = 0;
  double loss_sum_ = 0.0;
  std::vector<double> shift_, sum_y_, sum_y2_, sum_e2_, sum_abs_e_;  // per target
};

// Multi-label: logits [B, L] against 0/1 targets [B, L]; a label is predicted when its logit is
// > 0 (probability > 0.5). Per label: precision, recall, F1 (NaN where undefined: no predicted
// or no true positives) and average precision, AP = Σ_k (R_k - R_{k-1}) P_k over the ranking by
// score (sklearn's average_precision_score; ties share a threshold; NaN for a label with no
// positive). label accuracy: the fraction of all (row, label) decisions that are right (Keras's
// binary_accuracy); subset accuracy: rows with every label right. Keeps the scores (N x L doubles)
// for AP.
class MultilabelMetrics {
 public:
  explicit MultilabelMetrics(int64_t labels);
  void add(const Tensor& logits, const Tensor& targets, double batch_loss_sum = 0.0);
  int64_t count() const { return count_; }
  double loss() const;
  double label_accuracy() const;
  double subset_accuracy() const;
  std::vector<double> precision() const, recall() const, f1() const, average_precision() const;
  std::vector<int64_t> support() const { return positives_; }  // true positives + false negatives
  double mean_average_precision() const;  // over the labels with a positive
  double macro_f1() const;                // over the labels where F1 is defined
  double micro_f1() const;                // from the pooled counts of every label

 private:
  int64_t labels_, count_ = 0, right_decisions_ = 0, exact_rows_ = 0;
  double loss_sum_ = 0.0;
  std::vector<int64_t> true_positives_, predicted_, positives_;  // per label
  std::vector<std::vector<std::pair<double, bool>>> scores_;     // per label: (logit, positive)
};

// Right decisions and how many were made, for the training loop's per-step accuracy: argmax
// hits of B rows (classification), thresholded labels of B x L (multilabel), none (regression).
struct Hits {
  int64_t correct = 0, total = 0;
};
Hits count_hits(data::Task task, const Tensor& outputs, const Tensor& targets);

struct RegressionScores {
  double rmse = 0, mae = 0, r2 = 0;
  std::vector<double> rmse_per_target, mae_per_target, r2_per_target;
};

struct LabelScores {
  std::vector<double> precision, recall, f1, average_precision;
  std::vector<int64_t> support;
  double mean_average_precision = 0, macro_f1 = 0, micro_f1 = 0, subset_accuracy = 0;
};

// The accumulated metrics as plain numbers.
RegressionScores scores_of(const RegressionMetrics& metrics);
LabelScores scores_of(const MultilabelMetrics& metrics);

// Evaluation of a dataset. accuracy is the classification accuracy, the multi-label label
// accuracy, or NaN for regression (as top_k_accuracy, per_class_accuracy, confusion and
// predictions are empty there).
struct Evaluation {
  data::Task task = data::Task::classification;
  double loss = 0, accuracy = 0, top_k_accuracy = 0;
  std::vector<double> per_class_accuracy;
  std::vector<std::vector<int64_t>> confusion;
  Tensor predictions;  // [N] int64 predicted classes, in dataset order (classification)
  Tensor outputs;      // [N, T] float32 predicted values (regression) or logits (multilabel)
  RegressionScores regression;  // regression only
  LabelScores labels;           // multilabel only
};

}  // namespace nabla::train

#pragma GCC visibility pop
