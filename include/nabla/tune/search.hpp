// The search of `nabla tune`: rounds of trials (coarse to fine), successive halving inside a
// round, and a ledger that makes the search resumable. The steps the notes give: a coarse search
// over a few epochs, then a finer one around the best trials; random rather than grid layout;
// learning rate and regularisation on a log scale.
//
// A round's trials all train for the first rung's epochs; the best 1/eta go on to the next rung
// (min_epochs·eta^r epochs, up to tune.epochs), continuing from their checkpoints; the rest stop
// there. Without halving a trial trains tune.epochs at once. Trial 0 of round 0 is the config
// unchanged (the default), always trained to the full budget, so "better than the default"
// compares equal epochs. A trial's metric is its last epoch's validation value; a refined round
// skips any point an earlier round trained.
//
// The ledger (trials.jsonl) holds one JSON line per finished trial rung: id, round, rung, epochs,
// params (name → TOML text), metric, val_accuracy, val_loss, status (ok | diverged | failed),
// exit_code, log, seconds (of all its trainings), and with tune.folds fold_metrics and
// metric_std. The search is a function of the config and the ledger: a resumed
// search draws the same trials, takes each finished rung from the ledger and trains only the
// rest (an interrupted trial continues from its checkpoint). With tune.folds = k every trial
// rung is k trainings (data.folds = k, data.fold = 0..k-1), recorded once all k have ended.
//
//   tune::SearchPlan plan{.config_path = "examples/tune_mlp.toml", .dir = "runs/tune_mlp-tune"};
//   tune::SearchSetup setup = tune::prepare_search(plan);        // Error: bad config or space
//   tune::Ledger ledger = tune::Ledger::open(plan.dir + "/trials.jsonl", &warnings);
//   tune::SearchOutcome outcome = tune::run_search(plan, setup, ledger, executor, say);
#pragma once
#pragma GCC visibility push(default)

#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/run/config.hpp"
#include "nabla/tune/space.hpp"

namespace nabla::tune {

// The [tune] section, checked (errors name the key and the fix).
struct TuneSettings {
  std::string method = "random";  // random | grid
  int64_t trials = 8;             // random: trials of each round (round 0 includes the default)
  int64_t rounds = 1;
  int64_t refine_top = 3;
  int64_t epochs = 0;             // of a full trial (tune.epochs, or train.epochs when 0)
  int64_t halving = 0;            // eta; 0: off
  int64_t min_epochs = 1;
  int64_t parallel = 0;           // 0: one per core
  std::string metric = "val_accuracy";
  uint64_t seed = 0;
  int64_t folds = 0;              // k-fold cross-validation of every trial (0: one validation split)
  bool maximize() const { return metric == "val_accuracy"; }
};
TuneSettings read_settings(const run::Config& config);

// Epochs of each rung: min_epochs·eta^r while below `epochs`, then `epochs`; {epochs} when eta
// is 0. E.g. (1, 3, 10) → {1, 3, 9, 10}; (1, 3, 9) → {1, 3, 9}; (2, 0, 5) → {5}.
std::vector<int64_t> halving_rungs(int64_t min_epochs, int64_t eta, int64_t epochs);
// Trials that go on from a rung of `count`: ceil(count / eta), at least 1.
int64_t survivors(int64_t count, int64_t eta);

enum class Status { ok, diverged, failed };
const char* status_name(Status status);

// One ledger line: a trial after one rung.
struct TrialRecord {
  int64_t id = 0, round = 0, rung = 0, epochs = 0;
  std::vector<std::pair<std::string, std::string>> params;  // name → TOML text
  double metric = 0.0, val_accuracy = 0.0, val_loss = 0.0;  // NaN when missing
  // With tune.folds = k: each fold's metric, and their standard deviation (NumPy's default,
  // ddof = 0); metric, val_accuracy and val_loss are then means over the k folds.
  std::vector<double> fold_metrics;
  double metric_std = std::nan("");
  Status status = Status::ok;
  int exit_code = 0;
  std::string log;  // relative to the tune directory
  double seconds = 0.0;
};

// trials.jsonl, appended one line at a time (one write, then fsync), so a crash loses at most
// the line being written.
class Ledger {
 public:
  // Reads `path` (missing: an empty ledger). A torn last line is cut off the file and reported
  // in `warnings`; a damaged line before it is an Error naming the line and the fix.
  static Ledger open(const std::string& path, std::vector<std::string>* warnings = nullptr);
  const std::vector<TrialRecord>& records() const { return records_; }
  const TrialRecord* find(int64_t id, int64_t rung) const;
  void append(const TrialRecord& record);

 private:
  std::string path_;
  std::vector<TrialRecord> records_;
};

// Each trial's latest record (its highest rung), best first: ok before diverged before failed,
// a higher rung first (more epochs of training), then by the metric.
std::vector<TrialRecord> latest_ranked(const std::vector<TrialRecord>& records, bool maximize);

// One training a trial needs: `nabla train` with `args` (without the program), run in `dir`.
struct TrialRun {
  int64_t id = 0, round = 0, rung = 0, epochs = 0;
  std::vector<std::string> args;
  std::string dir, log;  // absolute or relative to the working directory
  bool resume = false;
};
// Runs the trainings (some at once), calling done(index, exit_code, seconds) as each ends, from
// the calling thread. Returns false when it stopped before all ran (interrupt, a run limit).
using Executor = std::function<bool(
    const std::vector<TrialRun>& runs, const std::function<void(size_t, int, double)>& done)>;

struct SearchPlan {
  std::string config_path{};
  std::vector<std::string> base_sets{};  // --set given to `nabla tune`
  std::string dir{};                     // the tune directory
  int64_t threads = 1, workers = 0;     // of each trial
};

// The checked inputs of a search: any problem (config, [tune] settings, search space, a value
// that does not fit its key, no validation split, a grid too large) is an Error here, before a
// trial runs.
struct SearchSetup {
  explicit SearchSetup(run::Config loaded) : base(std::move(loaded)) {}
  run::Config base;
  TuneSettings settings;
  SearchSpace space;
  std::vector<int64_t> rungs;
};
SearchSetup prepare_search(const SearchPlan& plan);

struct SearchOutcome {
  std::vector<TrialRecord> ranked;  // latest_ranked of the ledger
  bool complete = false;
  int64_t runs = 0;                 // trainings run by this call
};

// Runs (or resumes) the search, appending to `ledger`; `say` gets one line per event. Throws an
// Error when the ledger does not match the search (the space, seed or config changed since).
SearchOutcome run_search(const SearchPlan& plan, const SearchSetup& setup, Ledger& ledger,
                         const Executor& execute, const std::function<void(const std::string&)>& say);

// The --set overrides of a trial at `epochs`: the base sets, the point (none for the default),
// threads and workers, train.epochs, and a cosine schedule's horizon pinned to the full budget
// so a trial stopped at a rung followed the same learning rates as one trained to the end.
std::vector<std::string> trial_sets(const SearchPlan& plan, const SearchSetup& setup,
                                    const Point& point, bool is_default, int64_t epochs);

// A record's params as a point of `space` (in its order).
Point point_of(const SearchSpace& space, const TrialRecord& record);

// trials/0007 for id 7.
std::string trial_dir_name(int64_t id);
// Where a trial's trainings run, relative to the tune directory: {trials/0007}, or with k folds
// {trials/0007/fold-0, ..., trials/0007/fold-<k-1>}.
std::vector<std::string> trial_run_dirs(int64_t id, int64_t folds);

}  // namespace nabla::tune

#pragma GCC visibility pop
