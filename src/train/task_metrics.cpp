// RegressionMetrics, MultilabelMetrics and the per-step hit count of each task. As the
// classification metrics, everything is computed on host float64 copies.
#include <algorithm>
#include <cmath>
#include <limits>

#include "nabla/train/metrics.hpp"

namespace nabla::train {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct HostPair {
  int64_t rows = 0, columns = 0;
  std::vector<double> outputs, targets;  // rows x columns
};

// Checks outputs [B, C] against floating targets [B, C] and copies both to the host.
HostPair to_host_pair(const Tensor& outputs, const Tensor& targets, int64_t columns,
                      const char* what) {
  NABLA_CHECK(outputs.defined() && outputs.dim() == 2 && is_floating(outputs.dtype()), what,
              ": expected floating outputs [B, ", columns, "], got ",
              outputs.defined() ? outputs.shape() : Shape{});
  NABLA_CHECK(targets.defined() && targets.shape() == outputs.shape() &&
                  is_floating(targets.dtype()),
              what, ": targets must be floating and shaped as the outputs ", outputs.shape(),
              ", got ", targets.defined() ? targets.shape() : Shape{});
  NABLA_CHECK(outputs.size(1) == columns, what, ": the model gives ", outputs.size(1),
              " outputs per row but the dataset has ", columns,
              "; the model's output width must equal the number of targets");
  return {outputs.size(0), columns, outputs.detach().to(DType::f64).to_vector<double>(),
          targets.detach().to(DType::f64).to_vector<double>()};
}

double ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : kNaN;
}

// The mean of the values that are not NaN (NaN when none is).
double mean_defined(const std::vector<double>& values) {
  double sum = 0;
  int64_t n = 0;
  for (double v : values)
    if (!std::isnan(v)) sum += v, ++n;
  return n ? sum / static_cast<double>(n) : kNaN;
}

}  // namespace

// ---- regression ----

RegressionMetrics::RegressionMetrics(int64_t targets)
    : targets_(targets), shift_(targets > 0 ? targets : 0), sum_y_(shift_.size()),
      sum_y2_(shift_.size()), sum_e2_(shift_.size()), sum_abs_e_(shift_.size()) {
  NABLA_CHECK(targets >= 1, "RegressionMetrics: targets must be >= 1, got ", targets);
}

void RegressionMetrics::add(const Tensor& outputs, const Tensor& targets, double batch_loss_sum) {
  const HostPair host = to_host_pair(outputs, targets, targets_, "RegressionMetrics::add");
  for (int64_t i = 0; i < host.rows; ++i)
    for (int64_t t = 0; t < targets_; ++t) {
      const double y = host.targets[i * targets_ + t], error = y - host.outputs[i * targets_ + t];
      if (count_ == 0 && i == 0) shift_[t] = y;
      const double centred = y - shift_[t];
      sum_y_[t] += centred;
      sum_y2_[t] += centred * centred;
      sum_e2_[t] += error * error;
      sum_abs_e_[t] += std::abs(error);
    }
  count_ += host.rows;
  loss_sum_ += batch_loss_sum;
}

double RegressionMetrics::loss() const { return count_ ? loss_sum_ / count_ : kNaN; }

std::vector<double> RegressionMetrics::rmse_per_target() const {
  std::vector<double> out(targets_, kNaN);
  for (int64_t t = 0; t < targets_ && count_; ++t) out[t] = std::sqrt(sum_e2_[t] / count_);
  return out;
}

std::vector<double> RegressionMetrics::mae_per_target() const {
  std::vector<double> out(targets_, kNaN);
  for (int64_t t = 0; t < targets_ && count_; ++t) out[t] = sum_abs_e_[t] / count_;
  return out;
}

std::vector<double> RegressionMetrics::r2_per_target() const {
  std::vector<double> out(targets_, kNaN);
  for (int64_t t = 0; t < targets_ && count_; ++t) {
    const double total = sum_y2_[t] - sum_y_[t] * sum_y_[t] / static_cast<double>(count_);
    if (total > 0) out[t] = 1.0 - sum_e2_[t] / total;
  }
  return out;
}

double RegressionMetrics::rmse() const {
  double sum = 0;
  for (double v : sum_e2_) sum += v;
  return count_ ? std::sqrt(sum / static_cast<double>(count_ * targets_)) : kNaN;
}

double RegressionMetrics::mae() const {
  double sum = 0;
  for (double v : sum_abs_e_) sum += v;
  return count_ ? sum / static_cast<double>(count_ * targets_) : kNaN;
}

double RegressionMetrics::r2() const { return mean_defined(r2_per_target()); }

// ---- multi-label ----

MultilabelMetrics::MultilabelMetrics(int64_t labels)
    : labels_(labels), true_positives_(labels > 0 ? labels : 0), predicted_(true_positives_.size()),
      positives_(true_positives_.size()), scores_(true_positives_.size()) {
  NABLA_CHECK(labels >= 1, "MultilabelMetrics: labels must be >= 1, got ", labels);
}

void MultilabelMetrics::add(const Tensor& logits, const Tensor& targets, double batch_loss_sum) {
  const HostPair host = to_host_pair(logits, targets, labels_, "MultilabelMetrics::add");
  for (int64_t i = 0; i < host.rows; ++i) {
    bool exact = true;
    for (int64_t l = 0; l < labels_; ++l) {
      const double score = host.outputs[i * labels_ + l];
      const bool positive = host.targets[i * labels_ + l] >= 0.5, predicted = score > 0;
      true_positives_[l] += positive && predicted;
      predicted_[l] += predicted;
      positives_[l] += positive;
      right_decisions_ += positive == predicted;
      exact = exact && positive == predicted;
      scores_[l].emplace_back(score, positive);
    }
    exact_rows_ += exact;
  }
  count_ += host.rows;
  loss_sum_ += batch_loss_sum;
}

double MultilabelMetrics::loss() const { return count_ ? loss_sum_ / count_ : kNaN; }

double MultilabelMetrics::label_accuracy() const {
  return count_ ? static_cast<double>(right_decisions_) / static_cast<double>(count_ * labels_) : kNaN;
}

double MultilabelMetrics::subset_accuracy() const {
  return count_ ? static_cast<double>(exact_rows_) / static_cast<double>(count_) : kNaN;
}

std::vector<double> MultilabelMetrics::precision() const {
  std::vector<double> out(labels_);
  for (int64_t l = 0; l < labels_; ++l)
    out[l] = ratio(static_cast<double>(true_positives_[l]), static_cast<double>(predicted_[l]));
  return out;
}

std::vector<double> MultilabelMetrics::recall() const {
  std::vector<double> out(labels_);
  for (int64_t l = 0; l < labels_; ++l)
    out[l] = ratio(static_cast<double>(true_positives_[l]), static_cast<double>(positives_[l]));
  return out;
}

std::vector<double> MultilabelMetrics::f1() const {
  std::vector<double> out(labels_);
  for (int64_t l = 0; l < labels_; ++l)  // 2 TP / (2 TP + FP + FN) = 2 TP / (predicted + positives)
    out[l] = ratio(2.0 * static_cast<double>(true_positives_[l]),
                   static_cast<double>(predicted_[l] + positives_[l]));
  return out;
}

std::vector<double> MultilabelMetrics::average_precision() const {
  std::vector<double> out(labels_, kNaN);
  for (int64_t l = 0; l < labels_; ++l) {
    if (positives_[l] == 0) continue;
    std::vector<std::pair<double, bool>> ranked = scores_[l];
    std::sort(ranked.begin(), ranked.end(),
              [](const auto& a, const auto& b) { return a.first > b.first; });
    double ap = 0, last_recall = 0;
    int64_t hits = 0, seen = 0;
    for (size_t k = 0; k < ranked.size(); ++k) {
      hits += ranked[k].second;
      ++seen;
      // One threshold per distinct score: tied rows enter the ranking together.
      if (k + 1 < ranked.size() && ranked[k + 1].first == ranked[k].first) continue;
      const double recall = static_cast<double>(hits) / static_cast<double>(positives_[l]);
      ap += (recall - last_recall) * static_cast<double>(hits) / static_cast<double>(seen);
      last_recall = recall;
    }
    out[l] = ap;
  }
  return out;
}

double MultilabelMetrics::mean_average_precision() const { return mean_defined(average_precision()); }

double MultilabelMetrics::macro_f1() const { return mean_defined(f1()); }

double MultilabelMetrics::micro_f1() const {
  int64_t tp = 0, predicted = 0, positives = 0;
  for (int64_t l = 0; l < labels_; ++l)
    tp += true_positives_[l], predicted += predicted_[l], positives += positives_[l];
  return ratio(2.0 * static_cast<double>(tp), static_cast<double>(predicted + positives));
}

RegressionScores scores_of(const RegressionMetrics& m) {
  return {.rmse = m.rmse(), .mae = m.mae(), .r2 = m.r2(), .rmse_per_target = m.rmse_per_target(),
          .mae_per_target = m.mae_per_target(), .r2_per_target = m.r2_per_target()};
}

LabelScores scores_of(const MultilabelMetrics& m) {
  return {.precision = m.precision(), .recall = m.recall(), .f1 = m.f1(),
          .average_precision = m.average_precision(), .support = m.support(),
          .mean_average_precision = m.mean_average_precision(), .macro_f1 = m.macro_f1(),
          .micro_f1 = m.micro_f1(), .subset_accuracy = m.subset_accuracy()};
}

// ---- the training loop's hits ----

Hits count_hits(data::Task task, const Tensor& outputs, const Tensor& targets) {
  switch (task) {
    case data::Task::classification:
      return {correct_predictions(outputs, targets), outputs.size(0)};
    case data::Task::regression:
      return {};
    case data::Task::multilabel: {
      const HostPair host = to_host_pair(outputs, targets, outputs.dim() == 2 ? outputs.size(1) : 0,
                                         "count_hits");
      Hits hits{0, host.rows * host.columns};
      for (size_t k = 0; k < host.outputs.size(); ++k)
        hits.correct += (host.outputs[k] > 0) == (host.targets[k] >= 0.5);
      return hits;
    }
  }
  return {};
}

}  // namespace nabla::train
