// report.html of a finished `nabla train`: the trainer's curves and monitor data plus the test
// split's confusion matrix, misclassified images and, for 2-D inputs, the decision boundary.
#pragma once

#include <string>

#include "nabla/data/dataset.hpp"
#include "nabla/run/config.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::cli {

void write_run_report(const std::string& path, const std::string& config_path,
                      const run::Config& config, train::Trainer& trainer,
                      const train::History& history, const data::Splits& splits,
                      const train::Evaluation& test);

}  // namespace nabla::cli
