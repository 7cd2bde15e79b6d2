// How `nabla train` and `nabla eval` print the test results of each task.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "nabla/train/metrics.hpp"

namespace nabla::cli {

// One line: "test accuracy: 91.20% (10000 samples)", "test RMSE: 1.23  MAE: 0.98  R²: 0.951
// (200 samples)" or "test mAP: 0.912  label accuracy: 97.10%  micro F1: 0.903 (10000 samples)".
std::string test_headline(const train::Evaluation& evaluation, int64_t samples);

// The per-target (regression) or per-label (multilabel) table below the headline.
void print_task_details(std::ostream& out, const train::Evaluation& evaluation,
                        const std::vector<std::string>& names);

}  // namespace nabla::cli
