// The files a search leaves in its directory: the results table (CSV, Markdown), best.toml and
// tune_report.html. Written after every call, complete or not, so an interrupted search still
// shows what it found so far.
#include <filesystem>

#include "nabla/io/atomic_file.hpp"
#include "nabla/tune/results.hpp"

namespace nabla::tune {

namespace {

const TrialRecord* best_ok(const SearchOutcome& outcome) {
  for (const TrialRecord& r : outcome.ranked)
    if (r.status == Status::ok) return &r;
  return nullptr;
}

}  // namespace

std::string best_config_text(const SearchPlan& plan, const SearchSetup& setup,
                             const TrialRecord& best) {
  const int64_t epochs = setup.rungs[static_cast<size_t>(best.rung)];
  const std::vector<std::string> sets =
      trial_sets(plan, setup, point_of(setup.space, best), best.id == 0, epochs);
  const run::Config config = run::Config::from_file(plan.config_path, sets);
  std::string text = "# The best trial (" + std::to_string(best.id) + ") of `nabla tune " +
                     plan.config_path + "`: " + setup.settings.metric + " " +
                     std::to_string(best.metric) + " after " + std::to_string(best.epochs) +
                     " epochs.\n# `nabla train best.toml` trains it again (train.threads as in "
                     "the trial, for bitwise-equal weights).\n";
  return text + config.resolved_toml();
}

ResultsTable write_outputs(const SearchPlan& plan, const SearchSetup& setup,
                           const SearchOutcome& outcome,
                           const std::vector<std::pair<std::string, std::string>>& facts) {
  const ResultsTable table = results_table(setup.space, outcome.ranked, setup.settings.metric);
  write_results(plan.dir, table);
  TuneReport report;
  report.title = std::filesystem::path(plan.config_path).filename().string();
  report.facts = facts;
  report.space = setup.space;
  report.ranked = outcome.ranked;
  report.metric = setup.settings.metric;
  report.table = table;
  for (const TrialRecord& r : outcome.ranked)
    report.trials.emplace_back(r.id, read_trial_curves(plan.dir, r.id, setup.settings.folds));
  if (const TrialRecord* best = best_ok(outcome)) {
    report.best = read_trial_curves(plan.dir, best->id, setup.settings.folds);
    report.best_config = best_config_text(plan, setup, *best);
    io::write_file_atomically(plan.dir + "/best.toml", report.best_config, "nabla tune");
  }
  write_tune_report(plan.dir + "/tune_report.html", report);
  return table;
}

}  // namespace nabla::tune
