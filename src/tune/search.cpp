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

TrialRecord make_record(const SearchPlan& plan, const SearchSetup& setup, const Trial& trial,
                        int64_t rung, int exit_code, double seconds) {
  TrialRecord r;
  r.id = trial.id;
  r.round = trial.round;
  r.rung = rung;
  r.params = params_of(setup.space, trial.point);
  r.exit_code = exit_code;
  r.seconds = seconds;
  r.log = trial_dir_name(trial.id) + "/train.log";
  const Curves curves = read_curves(plan.dir + "/" + trial_dir_name(trial.id) + "/metrics.jsonl");
  const auto last = [](const std::vector<double>& v) { return v.empty() ? std::nan("") : v.back(); };
  r.epochs = curves.epoch.empty() ? 0 : static_cast<int64_t>(curves.epoch.back());
  r.val_accuracy = last(curves.val_accuracy);
  r.val_loss = last(curves.val_loss);
  r.metric = setup.settings.maximize() ? r.val_accuracy : r.val_loss;
  r.status = exit_code == 0 ? Status::ok : exit_code == 3 ? Status::diverged : Status::failed;
  if (r.status != Status::ok || std::isnan(r.metric)) r.metric = std::nan("");
  if (r.status == Status::ok && std::isnan(r.metric)) r.status = Status::failed;
  return r;
}

std::string record_line(const TrialRecord& r, const std::string& metric, const std::string& dir) {
  std::ostringstream out;
  out << "trial " << r.id << " (round " << r.round << ", " << r.epochs << " epochs): ";
  if (r.status == Status::ok)
    out << metric << " " << metric_text(r.metric);
  else
    out << status_name(r.status) << " (exit " << r.exit_code << "; " << dir << "/" << r.log << ")";
  out.precision(1);
  out << std::fixed << ", " << r.seconds << " s   " << describe(r.params);
  return out.str();
}

TrialRun make_run(const SearchPlan& plan, const SearchSetup& setup, const Trial& trial,
                  int64_t rung) {
  TrialRun run;
  run.id = trial.id;
  run.round = trial.round;
  run.rung = rung;
  run.epochs = setup.rungs[static_cast<size_t>(rung)];
  run.dir = plan.dir + "/" + trial_dir_name(trial.id);
  run.log = run.dir + "/train.log";
  // A trial with a checkpoint continues: the next rung, or a run a Ctrl-C or a kill cut short.
  run.resume = fs::exists(run.dir + "/checkpoint/last.safetensors");
  run.args = {"train", plan.config_path};
  for (const std::string& set : trial_sets(plan, setup, trial.point, trial.is_default, run.epochs)) {
    run.args.push_back("--set");
    run.args.push_back(set);
  }
  run.args.push_back("--out");
  run.args.push_back(run.dir);
  // A trial without a checkpoint starts again from scratch, whatever an earlier try left there.
  run.args.push_back(run.resume ? "--resume" : "--overwrite");
  return run;
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
      std::vector<TrialRun> runs;
      std::vector<const Trial*> run_trials;
      for (const Trial* t : alive)
        if (ledger.find(t->id, static_cast<int64_t>(rung)) == nullptr) {
          runs.push_back(make_run(plan, setup, *t, static_cast<int64_t>(rung)));
          run_trials.push_back(t);
        }
      if (!runs.empty()) {
        say("round " + std::to_string(round) + ", " + std::to_string(setup.rungs[rung]) +
            " epochs: " + std::to_string(runs.size()) + " trial" + (runs.size() == 1 ? "" : "s"));
        stopped = !execute(runs, [&](size_t i, int exit_code, double seconds) {
          const TrialRecord record = make_record(plan, setup, *run_trials[i],
                                                 static_cast<int64_t>(rung), exit_code, seconds);
          ledger.append(record);
          ++outcome.runs;
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
