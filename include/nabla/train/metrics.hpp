// Classification metrics: accuracy, top-k accuracy, per-class accuracy and the confusion
// matrix, accumulated batch by batch (the notes' evaluation).
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

struct Evaluation {
  double loss = 0, accuracy = 0, top_k_accuracy = 0;
  std::vector<double> per_class_accuracy;
  std::vector<std::vector<int64_t>> confusion;
  Tensor predictions;  // [N] int64 predicted classes, in dataset order
};

}  // namespace nabla::train

#pragma GCC visibility pop
