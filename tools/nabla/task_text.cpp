#include "task_text.hpp"

#include <iomanip>
#include <sstream>

namespace nabla::cli {

namespace {

std::string name_or_index(const std::vector<std::string>& names, size_t k) {
  return k < names.size() ? names[k] : std::to_string(k);
}

}  // namespace

std::string test_headline(const train::Evaluation& e, int64_t samples) {
  std::ostringstream out;
  out << std::fixed;
  switch (e.task) {
    case data::Task::classification:
      out << std::setprecision(2) << "test accuracy: " << 100.0 * e.accuracy << "%";
      break;
    case data::Task::regression:
      out << std::setprecision(4) << "test RMSE: " << e.regression.rmse
          << "  MAE: " << e.regression.mae << "  R²: " << e.regression.r2;
      break;
    case data::Task::multilabel:
      out << std::setprecision(4) << "test mAP: " << e.labels.mean_average_precision
          << std::setprecision(2) << "  label accuracy: " << 100.0 * e.accuracy << "%"
          << std::setprecision(4) << "  micro F1: " << e.labels.micro_f1
          << "  exact rows: " << std::setprecision(2) << 100.0 * e.labels.subset_accuracy << "%";
      break;
  }
  out << " (" << samples << " samples)";
  return out.str();
}

void print_task_details(std::ostream& out, const train::Evaluation& e,
                        const std::vector<std::string>& names) {
  out << std::fixed << std::setprecision(4);
  if (e.task == data::Task::regression) {
    out << "per target:        RMSE       MAE        R²\n";
    for (size_t t = 0; t < e.regression.rmse_per_target.size(); ++t)
      out << "  " << std::left << std::setw(14) << name_or_index(names, t) << std::right
          << std::setw(9) << e.regression.rmse_per_target[t] << std::setw(10)
          << e.regression.mae_per_target[t] << std::setw(10) << e.regression.r2_per_target[t] << "\n";
  } else if (e.task == data::Task::multilabel) {
    out << "per label:         precision  recall     F1      AP   support\n";
    const train::LabelScores& l = e.labels;
    for (size_t k = 0; k < l.f1.size(); ++k)
      out << "  " << std::left << std::setw(14) << name_or_index(names, k) << std::right
          << std::setw(10) << l.precision[k] << std::setw(9) << l.recall[k] << std::setw(8)
          << l.f1[k] << std::setw(8) << l.average_precision[k] << std::setw(9) << l.support[k]
          << "\n";
    out << "macro F1: " << l.macro_f1 << "\n";
  }
}

}  // namespace nabla::cli
