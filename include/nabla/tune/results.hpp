// What a search leaves behind: the trials' curves read back from their metrics.jsonl, the
// results table (stdout, results.csv, results.md), and tune_report.html: one scatter plot per
// parameter against the metric (log axis for log parameters) and the best trial's curves.
//
//   tune::ResultsTable table = tune::results_table(space, outcome.ranked, settings.metric);
//   std::cout << tune::format_text(table);
//   tune::write_results(dir, table);   // results.csv, results.md
#pragma once
#pragma GCC visibility push(default)

#include <string>
#include <utility>
#include <vector>

#include "nabla/tune/search.hpp"
#include "nabla/tune/space.hpp"

namespace nabla::tune {

// Per-epoch values of a run's metrics.jsonl (its "type": "epoch" lines); NaN for null. A missing
// file gives empty curves.
struct Curves {
  std::vector<double> epoch, train_loss, val_loss, train_accuracy, val_accuracy, learning_rate;
};
Curves read_curves(const std::string& metrics_path);
// A trial's curves (trial_run_dirs under tune_dir): with k folds the mean of the folds' values
// over the epochs all of them reached.
Curves read_trial_curves(const std::string& tune_dir, int64_t id, int64_t folds);

// Columns: rank, id, round, each parameter, epochs, the metric, the other validation number,
// status. Rows in `ranked` order.
struct ResultsTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};
ResultsTable results_table(const SearchSpace& space, const std::vector<TrialRecord>& ranked,
                           const std::string& metric);
std::string format_text(const ResultsTable& table);      // aligned columns
std::string format_csv(const ResultsTable& table);       // RFC 4180 quoting
std::string format_markdown(const ResultsTable& table);
// results.csv and results.md in `dir`, atomically.
void write_results(const std::string& dir, const ResultsTable& table);

struct TuneReport {
  std::string title;                                       // the config's file name
  std::vector<std::pair<std::string, std::string>> facts;  // "best val_accuracy" → "85.12%"
  SearchSpace space;
  std::vector<TrialRecord> ranked;                         // best first
  std::string metric = "val_accuracy";
  int64_t default_id = 0;                                  // trial 0, drawn apart
  Curves best;                                             // the best trial's epochs
  std::vector<std::pair<int64_t, Curves>> trials;          // every trial's, for the halving plot
  ResultsTable table;
  std::string best_config;                                 // best.toml, shown folded
};
std::string render_tune_report(const TuneReport& report);
void write_tune_report(const std::string& path, const TuneReport& report);

// best.toml's text: the base config with the trial's values, epochs and threads, resolved, so
// `nabla train best.toml` trains that trial again (bitwise, on the same thread count).
std::string best_config_text(const SearchPlan& plan, const SearchSetup& setup,
                             const TrialRecord& best);
// Everything a search leaves in plan.dir: results.csv, results.md, best.toml (when a trial
// succeeded) and tune_report.html, with `facts` at the report's top. Returns the table.
ResultsTable write_outputs(const SearchPlan& plan, const SearchSetup& setup,
                           const SearchOutcome& outcome,
                           const std::vector<std::pair<std::string, std::string>>& facts);

}  // namespace nabla::tune

#pragma GCC visibility pop
