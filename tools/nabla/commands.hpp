// The subcommands of `nabla`. Each returns the process exit code: 0 success, 1 a failure while
// running, 2 bad input (configuration, arguments, missing data: nothing was trained), 3 training
// stopped on non-finite values, 130 interrupted (a checkpoint was saved).
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
}

namespace nabla::cli {

inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;
inline constexpr int kExitNonFinite = 3;
inline constexpr int kExitInterrupted = 130;

struct TrainArgs {
  std::string config;  // may be empty with --resume (the run's own config.toml is used)
  std::vector<std::string> sets;
  std::string out;     // "" → runs/<config name>
  bool resume = false;     // continue the run in `out` from its checkpoint and config.toml
  bool overwrite = false;  // replace the run in `out` (refused without one of the two)
};
int train_command(const TrainArgs& args);

// One run: its test accuracy, per class and the confusion matrix. Several runs (or one run's
// cycle snapshots): each member's accuracy, the best one's, and the ensemble's (the mean of the
// members' probabilities), then the ensemble's full evaluation.
struct EvalArgs {
  std::vector<std::string> run_dirs;
  std::vector<std::string> sets;
  bool snapshots = false;
  std::string tta;  // --tta VIEWS: --set eval.tta=VIEWS
};
int eval_command(const EvalArgs& args);

struct SummaryArgs {
  std::string target;                // a zoo name or a TOML config
  std::vector<int64_t> input_shape;  // one sample, without the batch dim; empty: the model's
  int64_t classes = 0;               // 0: the model's usual count
  bool names = false;                // the state dict's names instead of the layer table
};
int summary_command(const SummaryArgs& args);

// A subcommand defined in its own file: register_X(app, commands) adds its CLI11 subcommand and
// the action main() runs when it was chosen (one line per command in main.cpp).
using Command = std::pair<CLI::App*, std::function<int()>>;
using Commands = std::vector<Command>;
void register_doctor(CLI::App& app, Commands& commands);  // doctor_command.cpp
void register_tune(CLI::App& app, Commands& commands);    // tune_command.cpp
void register_predict(CLI::App& app, Commands& commands); // predict_command.cpp

// nabla features: penultimate-layer features of a run's split (features_command.cpp).
void register_features(CLI::App& app, Commands& commands);
// nabla filters: the first-layer filters of a run as a PNG (filters_command.cpp).
void register_filters(CLI::App& app, Commands& commands);
// nabla graph: one training step's autograd graph as Graphviz DOT (graph_command.cpp).
void register_graph(CLI::App& app, Commands& commands);

// Prints "nabla: <message>" to stderr and returns `code`.
int report_error(const std::string& message, int code);

}  // namespace nabla::cli
