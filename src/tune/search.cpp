// The search loop: rounds (coarse to fine), each a set of trials drawn from the space as it is
// narrowed so far, run rung by rung with successive halving. Everything is a function of the
// config and the ledger, so a resumed search draws the same trials and trains only what the
// ledger does not hold.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "nabla/tune/results.hpp"
#include "nabla/tune/search.hpp"

namespace nabla::tune {

namespace {

namespace fs = std::filesystem;

struct Trial {
  int64_t id = 0, round = 0;
  Point point;
  bool is_default = false;
};

std::vector<std::pair<std::string, std::string>> params_of(const SearchSpace& space,
                                                           const Point& point) {
  std::vector<std::pair<std::string, std::string>> params;
  for (size_t i = 0; i < space.params.size(); ++i) params.emplace_back(space.params[i].name, point[i].toml);
  return params;
}

std::string describe(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, text] : params) out += (out.empty() ? "" : " ") + name + "=" + Value{text}.label();
  return out;
}

// The ledger's lines for this trial must be of this trial: same round, same values.
void check_ledger(const SearchSpace& space, const Ledger& ledger, const Trial& trial,
                  const std::string& path) {
  const auto expected = params_of(space, trial.point);
  for (const TrialRecord& r : ledger.records()) {
    if (r.id != trial.id) continue;
    NABLA_CHECK(r.round == trial.round && r.params == expected, "tune: ", path, " has trial ",
                r.id, " (round ", r.round, ") with ", describe(r.params), ", but this search "
                "draws round ", trial.round, " with ", describe(expected), " for it: the config, "
                "the search space or tune.seed changed since. Resume with the config it began "
                "with, or start a new search with another --out");
  }
}

std::vector<Trial> round_trials(const SearchSetup& setup, const Ledger& ledger, int64_t round,
                                int64_t first_id) {
  const TuneSettings& s = setup.settings;
  SearchSpace space = setup.space;
  if (round > 0) {
    // Only earlier rounds count, so a resumed search narrows exactly as the first run did.
    std::vector<TrialRecord> earlier;
    for (const TrialRecord& r : ledger.records())
      if (r.round < round) earlier.push_back(r);
    std::vector<Point> best;
    for (const TrialRecord& r : latest_ranked(earlier, s.maximize()))
      if (r.status == Status::ok && static_cast<int64_t>(best.size()) < s.refine_top)
        best.push_back(point_of(setup.space, r));
    space = refine(setup.space, best);
  }
  std::vector<Trial> trials;
  if (round == 0) trials.push_back({first_id, 0, base_point(setup.base, setup.space), true});
  if (s.method == "grid") {
    for (Point& p : grid(space)) trials.push_back({0, round, std::move(p), false});
  } else {
    RandomStream rng(s.seed, static_cast<uint64_t>(round));
    const int64_t count = s.trials - (round == 0 ? 1 : 0);
    for (int64_t i = 0; i < count; ++i) trials.push_back({0, round, sample_point(space, rng), false});
  }
  // A refined round can draw a point an earlier round trained (a grid's end points): skip it.
  std::erase_if(trials, [&](const Trial& t) {
    const auto params = params_of(setup.space, t.point);
    return std::any_of(ledger.records().begin(), ledger.records().end(), [&](const TrialRecord& r) {
      return r.round < round && r.params == params;
    });
  });
  for (size_t i = 0; i < trials.size(); ++i) trials[i].id = first_id + static_cast<int64_t>(i);
  return trials;
}

std::string metric_text(double value) {
  std::ostringstream out;
  out.precision(4);
  out << std::fixed << value;
  return out.str();
}

// One training of a trial (the trial itself, or one of its folds) once it has ended.
struct RunResult {
  int64_t epochs = 0;
  double val_accuracy = 0.0, val_loss = 0.0, metric = 0.0;
  Status status = Status::ok;
  int exit_code = 0;
};

RunResult read_result(const SearchPlan& plan, const SearchSetup& setup, const std::string& dir,
                      int exit_code) {
  const Curves curves = read_curves(plan.dir + "/" + dir + "/metrics.jsonl");
  const auto last = [](const std::vector<double>& v) { return v.empty() ? std::nan("") : v.back(); };
  RunResult r;
  r.exit_code = exit_code;
  r.epochs = curves.epoch.empty() ? 0 : static_cast<int64_t>(curves.epoch.back());
  r.val_accuracy = last(curves.val_accuracy);
  r.val_loss = last(curves.val_loss);
  r.metric = setup.settings.maximize() ? r.val_accuracy : r.val_loss;
  r.status = exit_code == 0 ? Status::ok : exit_code == 3 ? Status::diverged : Status::failed;
  if (r.status == Status::ok && std::isnan(r.metric)) r.status = Status::failed;
  return r;
}

// The trial's record from its runs: one, or k folds averaged. The worst status counts (a
// trial with a failed fold failed), and its log is that fold's.
TrialRecord make_record(const SearchPlan& plan, const SearchSetup& setup, const Trial& trial,
                        int64_t rung, const std::vector<int>& exit_codes, double seconds) {
  const std::vector<std::string> dirs = trial_run_dirs(trial.id, setup.settings.folds);
  TrialRecord r;
  r.id = trial.id;
  r.round = trial.round;
  r.rung = rung;
  r.params = params_of(setup.space, trial.point);
  r.seconds = seconds;
  r.log = dirs[0] + "/train.log";
  std::vector<RunResult> runs;
  for (size_t i = 0; i < dirs.size(); ++i) {
    runs.push_back(read_result(plan, setup, dirs[i], exit_codes[i]));
    if (runs[i].status > r.status) {
      r.status = runs[i].status;
      r.exit_code = runs[i].exit_code;
      r.log = dirs[i] + "/train.log";
    }
  }
  const auto mean = [&](auto field) {
    double sum = 0.0;
    for (const RunResult& run : runs) sum += run.*field;
    return sum / static_cast<double>(runs.size());
  };
  r.epochs = runs[0].epochs;
  r.val_accuracy = mean(&RunResult::val_accuracy);
  r.val_loss = mean(&RunResult::val_loss);
  r.metric = r.status == Status::ok ? mean(&RunResult::metric) : std::nan("");
  if (runs.size() > 1) {
    double squares = 0.0;
    for (const RunResult& run : runs) {
      r.fold_metrics.push_back(run.metric);
      squares += (run.metric - r.metric) * (run.metric - r.metric);
    }
    r.metric_std = std::sqrt(squares / static_cast<double>(runs.size()));
  }
  return r;
}

std::string record_line(const TrialRecord& r, const std::string& metric, const std::string& dir) {
  std::ostringstream out;
  out << "trial " << r.id << " (round " << r.round << ", " << r.epochs << " epochs): ";
  if (r.status == Status::ok)
    out << metric << " " << metric_text(r.metric)
        << (r.fold_metrics.empty() ? "" : " ± " + metric_text(r.metric_std) + " over " +
                                              std::to_string(r.fold_metrics.size()) + " folds");
  else
    out << status_name(r.status) << " (exit " << r.exit_code << "; " << dir << "/" << r.log << ")";
  out.precision(1);
  out << std::fixed << ", " << r.seconds << " s   " << describe(r.params);
  return out.str();
}

// The trainings of a trial's rung: one, or one per fold.
std::vector<TrialRun> make_runs(const SearchPlan& plan, const SearchSetup& setup,
                                const Trial& trial, int64_t rung) {
  std::vector<TrialRun> runs;
  const int64_t folds = setup.settings.folds;
  const std::vector<std::string> dirs = trial_run_dirs(trial.id, folds);
  for (size_t fold = 0; fold < dirs.size(); ++fold) {
    TrialRun run;
    run.id = trial.id;
    run.round = trial.round;
    run.rung = rung;
    run.epochs = setup.rungs[static_cast<size_t>(rung)];
    run.dir = plan.dir + "/" + dirs[fold];
    run.log = run.dir + "/train.log";
    // A run with a checkpoint continues: the next rung, or a run a Ctrl-C or a kill cut short.
    run.resume = fs::exists(run.dir + "/checkpoint/last.safetensors");
    std::vector<std::string> sets = trial_sets(plan, setup, trial.point, trial.is_default, run.epochs);
    if (folds >= 2) {
      sets.push_back("data.folds=" + std::to_string(folds));
      sets.push_back("data.fold=" + std::to_string(fold));
    }
    run.args = {"train", plan.config_path};
    for (const std::string& set : sets) {
      run.args.push_back("--set");
      run.args.push_back(set);
    }
    run.args.push_back("--out");
    run.args.push_back(run.dir);
    // A run without a checkpoint starts again from scratch, whatever an earlier try left there.
    run.args.push_back(run.resume ? "--resume" : "--overwrite");
    runs.push_back(std::move(run));
  }
  return runs;
}

// Trials that go on from `rung`: the best ok ones by the metric, and always the default.
std::vector<const Trial*> promote(const SearchSetup& setup, const Ledger& ledger,
                                  const std::vector<const Trial*>& alive, int64_t rung) {
  std::vector<TrialRecord> results;
  for (const Trial* t : alive)
    if (const TrialRecord* r = ledger.find(t->id, rung)) results.push_back(*r);
  const std::vector<TrialRecord> ranked = latest_ranked(results, setup.settings.maximize());
  const int64_t keep = survivors(static_cast<int64_t>(alive.size()), setup.settings.halving);
  std::vector<const Trial*> next;
  for (const Trial* t : alive) {
    bool kept = false;
    for (int64_t i = 0; i < keep && i < static_cast<int64_t>(ranked.size()); ++i)
      kept = kept || (ranked[static_cast<size_t>(i)].id == t->id &&
                      ranked[static_cast<size_t>(i)].status == Status::ok);
    const TrialRecord* own = ledger.find(t->id, rung);
    if (kept || (t->is_default && own != nullptr && own->status == Status::ok)) next.push_back(t);
  }
  return next;
}

}  // namespace

SearchOutcome run_search(const SearchPlan& plan, const SearchSetup& setup, Ledger& ledger,
                         const Executor& execute, const std::function<void(const std::string&)>& say) {
  SearchOutcome outcome;
  const TuneSettings& s = setup.settings;
  const std::string ledger_path = plan.dir + "/trials.jsonl";
  int64_t next_id = 0;
  bool stopped = false;
  for (int64_t round = 0; round < s.rounds && !stopped; ++round) {
    const std::vector<Trial> trials = round_trials(setup, ledger, round, next_id);
    next_id += static_cast<int64_t>(trials.size());
    for (const Trial& t : trials) check_ledger(setup.space, ledger, t, ledger_path);
    std::vector<const Trial*> alive;
    for (const Trial& t : trials) alive.push_back(&t);
    for (size_t rung = 0; rung < setup.rungs.size() && !alive.empty() && !stopped; ++rung) {
      // Each trial's runs (its folds) side by side; a trial is recorded when its last ends.
      std::vector<TrialRun> runs;
      std::vector<size_t> trial_of_run;
      std::vector<size_t> first_run;  // per trial: the index of its first run (fold 0)
      std::vector<const Trial*> run_trials;
      std::vector<std::vector<int>> exit_codes;
      std::vector<size_t> pending;
      std::vector<double> seconds;
      for (const Trial* t : alive)
        if (ledger.find(t->id, static_cast<int64_t>(rung)) == nullptr) {
          const std::vector<TrialRun> trial_runs = make_runs(plan, setup, *t, static_cast<int64_t>(rung));
          first_run.push_back(runs.size());
          for (const TrialRun& run : trial_runs) {
            runs.push_back(run);
            trial_of_run.push_back(run_trials.size());
          }
          run_trials.push_back(t);
          exit_codes.emplace_back(trial_runs.size(), 0);
          pending.push_back(trial_runs.size());
          seconds.push_back(0.0);
        }
      if (!runs.empty()) {
        const size_t count = run_trials.size();
        say("round " + std::to_string(round) + ", " + std::to_string(setup.rungs[rung]) +
            " epochs: " + std::to_string(count) + " trial" + (count == 1 ? "" : "s") +
            (s.folds >= 2 ? " × " + std::to_string(s.folds) + " folds" : ""));
        stopped = !execute(runs, [&](size_t i, int exit_code, double run_seconds) {
          const size_t t = trial_of_run[i];
          exit_codes[t][i - first_run[t]] = exit_code;
          seconds[t] += run_seconds;
          ++outcome.runs;
          if (--pending[t] > 0) return;
          const TrialRecord record = make_record(plan, setup, *run_trials[t],
                                                 static_cast<int64_t>(rung), exit_codes[t], seconds[t]);
          ledger.append(record);
          say(record_line(record, s.metric, plan.dir));
        });
      }
      if (!stopped && rung + 1 < setup.rungs.size())
        alive = promote(setup, ledger, alive, static_cast<int64_t>(rung));
    }
  }
  outcome.complete = !stopped;
  outcome.ranked = latest_ranked(ledger.records(), s.maximize());
  return outcome;
}

}  // namespace nabla::tune
