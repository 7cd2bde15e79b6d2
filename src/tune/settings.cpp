// The [tune] settings, the halving arithmetic, the ranking of trials and the checked setup of a
// search (everything that can be wrong with the input, found before a trial runs).
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "nabla/run/setup.hpp"
#include "nabla/tune/search.hpp"

namespace nabla::tune {

namespace {

// A search compares trials on data they did not train on; the test split stays unseen.
void check_validation_split(const run::Config& config) {
  const std::string dataset = config.text("data.dataset");
  if (dataset == "csv" || dataset == "spirals") {
    const std::vector<double> split = config.numbers("data.split");
    if (split.size() < 2 || !(split[1] > 0))
      run::config_error(config, "data.split",
                        "holds no validation fraction; a search compares trials on the "
                        "validation split, e.g. split = [0.8, 0.1, 0.1]");
  } else if (!(config.number("data.validation") > 0)) {
    run::config_error(config, "data.validation",
                      "is 0; a search compares trials on the validation split (the test split "
                      "stays unseen), e.g. data.validation = 0.1");
  }
}

bool better(double a, double b, bool maximize) {
  if (std::isnan(b)) return !std::isnan(a);
  if (std::isnan(a)) return false;
  return maximize ? a > b : a < b;
}

}  // namespace

TuneSettings read_settings(const run::Config& config) {
  TuneSettings s;
  s.method = run::choice(config, "tune.method", {"random", "grid"});
  s.trials = config.integer("tune.trials");
  s.rounds = config.integer("tune.rounds");
  s.refine_top = config.integer("tune.refine_top");
  s.epochs = config.integer("tune.epochs");
  if (s.epochs == 0) s.epochs = config.integer("train.epochs");
  s.halving = config.integer("tune.halving");
  if (s.halving < 0 || s.halving == 1)
    run::config_error(config, "tune.halving", "must be 0 (off) or >= 2 (3 is usual)");
  s.min_epochs = config.integer("tune.min_epochs");
  if (s.halving > 0 && s.min_epochs > s.epochs)
    run::config_error(config, "tune.min_epochs", "is above the " + std::to_string(s.epochs) +
                                                     " epochs of a full trial; lower it");
  s.parallel = config.integer("tune.parallel");
  s.metric = run::metric_choice(config, "tune.metric", {"val_accuracy", "val_loss"});
  s.seed = static_cast<uint64_t>(config.integer("tune.seed"));
  s.folds = config.integer("tune.folds");
  if (s.folds == 1)
    run::config_error(config, "tune.folds", "must be 0 (off: one validation split) or >= 2 (5 or "
                                            "10 are usual)");
  return s;
}

std::vector<int64_t> halving_rungs(int64_t min_epochs, int64_t eta, int64_t epochs) {
  if (eta < 2) return {epochs};
  std::vector<int64_t> rungs;
  for (int64_t e = std::max<int64_t>(1, min_epochs); e < epochs; e *= eta) rungs.push_back(e);
  rungs.push_back(epochs);
  return rungs;
}

int64_t survivors(int64_t count, int64_t eta) {
  if (eta < 2) return count;
  return std::max<int64_t>(1, (count + eta - 1) / eta);
}

std::vector<TrialRecord> latest_ranked(const std::vector<TrialRecord>& records, bool maximize) {
  std::vector<TrialRecord> latest;
  for (const TrialRecord& r : records) {
    auto same = std::find_if(latest.begin(), latest.end(), [&](const auto& l) { return l.id == r.id; });
    if (same == latest.end())
      latest.push_back(r);
    else if (r.rung > same->rung)
      *same = r;
  }
  std::stable_sort(latest.begin(), latest.end(), [&](const TrialRecord& a, const TrialRecord& b) {
    if (a.status != b.status) return a.status < b.status;
    if (a.rung != b.rung) return a.rung > b.rung;
    if (better(a.metric, b.metric, maximize)) return true;
    if (better(b.metric, a.metric, maximize)) return false;
    return a.id < b.id;
  });
  return latest;
}

SearchSetup prepare_search(const SearchPlan& plan) {
  SearchSetup setup(run::Config::from_file(plan.config_path, plan.base_sets));
  const run::Config& base = setup.base;
  setup.settings = read_settings(base);
  setup.space = parse_space(base);
  check_values(setup.space, base, [&](const std::vector<std::string>& extra) {
    std::vector<std::string> sets = plan.base_sets;
    sets.insert(sets.end(), extra.begin(), extra.end());
    return run::Config::from_file(plan.config_path, sets);
  });
  // k folds take their validation rows from the training and validation splits joined.
  if (setup.settings.folds == 0) check_validation_split(base);
  const TuneSettings& s = setup.settings;
  if (s.method == "grid" && grid_size(setup.space) > 1000)
    run::config_error(base, "tune.method",
                      "is grid, and the grid has " + std::to_string(grid_size(setup.space)) +
                          " points; use fewer points or values, or method = \"random\"");
  setup.rungs = halving_rungs(s.min_epochs, s.halving, s.epochs);
  return setup;
}

std::vector<std::string> trial_sets(const SearchPlan& plan, const SearchSetup& setup,
                                    const Point& point, bool is_default, int64_t epochs) {
  std::vector<std::string> sets = plan.base_sets;
  if (!is_default) {
    const std::vector<std::string> values = overrides(setup.base, setup.space, point);
    sets.insert(sets.end(), values.begin(), values.end());
  }
  sets.push_back("train.threads=" + std::to_string(plan.threads));
  sets.push_back("train.workers=" + std::to_string(plan.workers));
  sets.push_back("train.epochs=" + std::to_string(epochs));
  if (setup.base.text("schedule.name") == "cosine" && setup.base.integer("schedule.t_max") == 0)
    sets.push_back("schedule.t_max=" + std::to_string(setup.settings.epochs));
  return sets;
}

Point point_of(const SearchSpace& space, const TrialRecord& record) {
  Point point;
  for (const Param& param : space.params) {
    Value value{""};
    for (const auto& [name, text] : record.params)
      if (name == param.name) value.toml = text;
    point.push_back(value);
  }
  return point;
}

std::string trial_dir_name(int64_t id) {
  char name[32];
  std::snprintf(name, sizeof name, "trials/%04lld", static_cast<long long>(id));
  return name;
}

std::vector<std::string> trial_run_dirs(int64_t id, int64_t folds) {
  if (folds < 2) return {trial_dir_name(id)};
  std::vector<std::string> dirs;
  for (int64_t fold = 0; fold < folds; ++fold)
    dirs.push_back(trial_dir_name(id) + "/fold-" + std::to_string(fold));
  return dirs;
}

}  // namespace nabla::tune
