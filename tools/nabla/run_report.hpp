// report.html of a finished `nabla train`: the trainer's curves and monitor data plus the test
// split's confusion matrix, misclassified images and, for 2-D inputs, the decision boundary;
// the autograd graph of one training step, drawn by Graphviz when `dot` is on PATH.
#pragma once

#include <string>

#include "nabla/data/dataset.hpp"
#include "nabla/run/config.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::cli {

// One training step's autograd graph as captured before training (Graphviz DOT), or why it
// could not be.
struct StepGraph {
  std::string dot, problem;
};

void write_run_report(const std::string& path, const std::string& config_path,
                      const run::Config& config, train::Trainer& trainer,
                      const train::History& history, const data::Splits& splits,
                      const train::Evaluation& test, const StepGraph& graph);

}  // namespace nabla::cli
