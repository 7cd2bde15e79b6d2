// ClassificationMetrics: everything is computed on host copies in float64, so the counts do not
// depend on the logits' dtype or on thread count.
#include "nabla/train/metrics.hpp"

#include <cmath>
#include <limits>

namespace nabla::train {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The first index of the largest of n values (NaN never wins, as in a plain > scan).
int64_t first_argmax(const double* row, int64_t n) {
  int64_t best = 0;
  for (int64_t j = 1; j < n; ++j)
    if (row[j] > row[best]) best = j;
  return best;
}

struct HostBatch {
  int64_t rows = 0, classes = 0;
  std::vector<double> logits;   // rows x classes
  std::vector<int64_t> labels;  // rows
};

// Validates the shapes and copies logits and target classes to the host.
HostBatch to_host(const Tensor& logits, const Tensor& targets, const char* what) {
  NABLA_CHECK(logits.defined() && logits.dim() == 2, what, ": expected logits [B, C], got ",
              logits.defined() ? logits.shape() : Shape{}, "; flatten the model's output first");
  NABLA_CHECK(is_floating(logits.dtype()), what, ": logits must be floating, got ", logits.dtype());
  HostBatch host;
  host.rows = logits.size(0);
  host.classes = logits.size(1);
  host.logits = logits.detach().to(DType::f64).to_vector<double>();
  NABLA_CHECK(targets.defined(), what, ": targets are undefined");
  if (targets.dim() == 1) {
    NABLA_CHECK(targets.dtype() == DType::i64, what, ": class targets must be int64, got ",
                targets.dtype(), "; convert them with .to(DType::i64)");
    NABLA_CHECK(targets.size(0) == host.rows, what, ": ", host.rows, " rows of logits but ",
                targets.size(0), " targets");
    host.labels = targets.to_vector<int64_t>();
    for (int64_t i = 0; i < host.rows; ++i)
      NABLA_CHECK(host.labels[i] >= 0 && host.labels[i] < host.classes, what, ": target ",
                  host.labels[i], " at row ", i, " is outside [0, ", host.classes,
                  "); the model's output width must equal the number of classes");
    return host;
  }
  NABLA_CHECK(targets.shape() == logits.shape() && is_floating(targets.dtype()), what,
              ": targets must be class indices [B] (int64) or probabilities shaped as the "
              "logits ",
              logits.shape(), ", got ", targets.shape(), " ", targets.dtype());
  const std::vector<double> probs = targets.detach().to(DType::f64).to_vector<double>();
  host.labels.resize(host.rows);
  for (int64_t i = 0; i < host.rows; ++i)
    host.labels[i] = first_argmax(probs.data() + i * host.classes, host.classes);
  return host;
}

}  // namespace

ClassificationMetrics::ClassificationMetrics(int64_t num_classes)
    : classes_(num_classes),
      confusion_(num_classes > 0 ? num_classes : 0, std::vector<int64_t>(num_classes > 0 ? num_classes : 0, 0)) {
  NABLA_CHECK(num_classes >= 1, "ClassificationMetrics: num_classes must be >= 1, got ",
              num_classes);
}

void ClassificationMetrics::add(const Tensor& logits, const Tensor& targets,
                                double batch_loss_sum) {
  const HostBatch host = to_host(logits, targets, "ClassificationMetrics::add");
  NABLA_CHECK(host.classes == classes_, "ClassificationMetrics::add: logits have ",
              host.classes, " classes, the metrics ", classes_,
              "; the model's output width must equal the dataset's class count");
  const int64_t k = std::min<int64_t>(5, classes_);
  for (int64_t i = 0; i < host.rows; ++i) {
    const double* row = host.logits.data() + i * classes_;
    const int64_t label = host.labels[i];
    const int64_t predicted = first_argmax(row, classes_);
    int64_t above = 0;  // classes ranked above the target
    for (int64_t j = 0; j < classes_; ++j)
      if (row[j] > row[label] || (row[j] == row[label] && j < label)) ++above;
    correct_ += predicted == label;
    top_k_correct_ += above < k;
    ++confusion_[label][predicted];
  }
  count_ += host.rows;
  loss_sum_ += batch_loss_sum;
}

double ClassificationMetrics::loss() const { return count_ ? loss_sum_ / count_ : kNaN; }

double ClassificationMetrics::accuracy() const {
  return count_ ? static_cast<double>(correct_) / count_ : kNaN;
}

double ClassificationMetrics::top_k_accuracy() const {
  return count_ ? static_cast<double>(top_k_correct_) / count_ : kNaN;
}

std::vector<double> ClassificationMetrics::per_class_accuracy() const {
  std::vector<double> result(classes_, kNaN);
  for (int64_t c = 0; c < classes_; ++c) {
    int64_t total = 0;
    for (int64_t p = 0; p < classes_; ++p) total += confusion_[c][p];
    if (total > 0) result[c] = static_cast<double>(confusion_[c][c]) / total;
  }
  return result;
}

int64_t correct_predictions(const Tensor& logits, const Tensor& targets) {
  const HostBatch host = to_host(logits, targets, "correct_predictions");
  int64_t correct = 0;
  for (int64_t i = 0; i < host.rows; ++i)
    correct += first_argmax(host.logits.data() + i * host.classes, host.classes) == host.labels[i];
  return correct;
}

}  // namespace nabla::train
