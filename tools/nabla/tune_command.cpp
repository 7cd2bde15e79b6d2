// nabla tune: hyperparameter search over the [tune] section of a config, each trial a `nabla
// train` child process, resumable from the tune directory's ledger.
//
//   nabla tune examples/tune_mlp.toml                      # runs/tune_mlp-tune/
//   nabla tune examples/tune_mlp.toml --resume             # after a Ctrl-C: finished trials stay
#include <CLI/CLI.hpp>
#include <chrono>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sched.h>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/run/config.hpp"
#include "nabla/tune/results.hpp"
#include "nabla/tune/runner.hpp"
#include "nabla/tune/search.hpp"

namespace nabla::cli {

namespace {

namespace fs = std::filesystem;

struct TuneArgs {
  std::string config;
  std::vector<std::string> sets;
  std::string out;
  bool resume = false;
  int64_t max_trials = 0;
};

int64_t available_cores() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// The resolved config without comments and without its [tune] section: what must not change
// between a search and its resume (the [tune] settings may: more rounds extend a search, and
// the ledger check catches a change that would redraw finished trials).
std::vector<std::string> comparable_lines(const std::string& resolved) {
  std::vector<std::string> lines;
  std::istringstream in(resolved);
  bool in_tune = false;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') in_tune = line.rfind("[tune", 0) == 0 || line.rfind("[[tune", 0) == 0;
    if (!in_tune) lines.push_back(line);
  }
  return lines;
}

// base.toml is read back through this nabla's schema, so a key added since the search began
// takes its default on both sides instead of reading as a change.
void check_same_base(const std::string& path, const std::string& resolved) {
  const std::vector<std::string> before = comparable_lines(run::Config::from_file(path).resolved_toml());
  const std::vector<std::string> now = comparable_lines(resolved);
  for (size_t i = 0; i < std::max(before.size(), now.size()); ++i) {
    const std::string a = i < before.size() ? before[i] : "(nothing)";
    const std::string b = i < now.size() ? now[i] : "(nothing)";
    NABLA_CHECK(a == b, "--resume: the config differs from the one this search began with (",
                path, " has '", a, "', now '", b, "'); resume with the same config and --set, "
                "or start a new search with another --out");
  }
}

// The tune directory: a fresh search must not mix with an old one; a resume needs one.
void prepare_dir(const TuneArgs& args, const tune::SearchPlan& plan, const tune::SearchSetup& setup) {
  const std::string ledger = plan.dir + "/trials.jsonl", base = plan.dir + "/base.toml";
  io::remove_stale_temporaries(plan.dir);
  if (args.resume) {
    NABLA_CHECK(fs::exists(base), "--resume: no search in ", plan.dir,
                " (no base.toml); run without --resume to start one");
    check_same_base(base, setup.base.resolved_toml());
    return;
  }
  NABLA_CHECK(!fs::exists(ledger), plan.dir, " already holds a search (trials.jsonl); continue it "
              "with --resume, or pass another --out (or delete the directory) to start afresh");
  // No ledger: nothing here is a finished trial, and a stale checkpoint must not be resumed as
  // a trial of this search.
  fs::remove_all(plan.dir + "/trials");
  fs::create_directories(plan.dir);
  io::write_file_atomically(base, setup.base.resolved_toml(), "nabla tune");
}

std::string percent_or_number(const std::string& metric, double value) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(metric == "val_accuracy" ? 2 : 4)
      << (metric == "val_accuracy" ? 100.0 * value : value) << (metric == "val_accuracy" ? "%" : "");
  return out.str();
}

// The trial's metric, with its spread over the folds when it was cross-validated.
std::string record_metric(const std::string& metric, const tune::TrialRecord& r) {
  std::string text = percent_or_number(metric, r.metric);
  if (!r.fold_metrics.empty())
    text += " ± " + percent_or_number(metric, r.metric_std) + " (mean ± std over " +
            std::to_string(r.fold_metrics.size()) + " folds)";
  return text;
}

std::string comparison(const tune::SearchSetup& setup, const tune::TrialRecord* base,
                       const tune::TrialRecord& best) {
  const std::string& metric = setup.settings.metric;
  std::ostringstream out;
  out << "best (trial " << best.id << "): " << metric << " " << record_metric(metric, best)
      << " after " << best.epochs << " epochs";
  if (base == nullptr || base->status != tune::Status::ok || base->id == best.id) {
    if (base != nullptr && base->id == best.id) out << "; no trial beat the default";
    return out.str();
  }
  const double gain = metric == "val_accuracy" ? 100.0 * (best.metric - base->metric)
                                               : base->metric - best.metric;
  out << std::showpos << std::fixed << std::setprecision(metric == "val_accuracy" ? 2 : 4) << "; " << gain
      << (metric == "val_accuracy" ? " points over" : " lower than") << " the default";
  return out.str();
}

void print_summary(const tune::SearchPlan& plan, const tune::SearchSetup& setup,
                   const tune::SearchOutcome& outcome, const tune::ResultsTable& table) {
  std::cout << "\n" << tune::format_text(table) << "\n";
  const tune::TrialRecord* base = nullptr;
  for (const tune::TrialRecord& r : outcome.ranked)
    if (r.id == 0) base = &r;
  const std::string& metric = setup.settings.metric;
  if (base != nullptr && base->status == tune::Status::ok)
    std::cout << "default (trial 0): " << metric << " " << record_metric(metric, *base)
              << " after " << base->epochs << " epochs\n";
  for (const tune::TrialRecord& r : outcome.ranked) {
    if (r.status != tune::Status::ok) continue;
    std::cout << comparison(setup, base, r) << "\n";
    for (const auto& [name, text] : r.params) std::cout << "  " << name << " = " << text << "\n";
    std::cout << "best config: " << plan.dir << "/best.toml (nabla train " << plan.dir
              << "/best.toml)\n";
    break;
  }
  std::cout << "results: " << plan.dir << "/results.csv, " << plan.dir << "/results.md\nreport: "
            << plan.dir << "/tune_report.html\n";
}

std::string rungs_text(const std::vector<int64_t>& rungs) {
  std::string out;
  for (int64_t e : rungs) out += (out.empty() ? "" : ", ") + std::to_string(e);
  return out;
}

// One call of `nabla tune`: the plan, its checked setup and the ledger.
struct Session {
  tune::SearchPlan plan;
  std::optional<tune::SearchSetup> setup;
  std::optional<tune::Ledger> ledger;
  int64_t cores = 1, parallel = 1;
};

// Everything that can be wrong with the input, before any trial (exit 2).
void prepare(const TuneArgs& args, Session& session) {
  NABLA_CHECK(args.max_trials >= 0, "--max-trials must be >= 0 (0: no limit)");
  tune::SearchPlan& plan = session.plan;
  plan.config_path = args.config;
  plan.base_sets = args.sets;
  plan.dir = args.out.empty() ? "runs/" + fs::path(args.config).stem().string() + "-tune" : args.out;
  session.setup.emplace(tune::prepare_search(plan));
  session.cores = available_cores();
  const int64_t parallel = session.setup->settings.parallel;
  session.parallel = parallel > 0 ? parallel : session.cores;
  // Each trial gets its share of the cores. With one thread each, the data is loaded on the
  // training thread (workers = 0): a prefetch thread per trial would put two busy threads on
  // each core of a small machine.
  plan.threads = std::max<int64_t>(1, session.cores / session.parallel);
  plan.workers = plan.threads == 1 ? 0 : 1;
  prepare_dir(args, plan, *session.setup);
  std::vector<std::string> warnings;
  session.ledger.emplace(tune::Ledger::open(plan.dir + "/trials.jsonl", &warnings));
  for (const std::string& warning : warnings) std::cerr << "nabla: " << warning << "\n";
}

void print_header(const TuneArgs& args, const Session& session) {
  const tune::TuneSettings& s = session.setup->settings;
  const int64_t threads = session.plan.threads;
  std::cout << "nabla tune " << args.config << ": " << s.method << " search, "
            << (s.method == "grid" ? "the grid" : std::to_string(s.trials) + " trials")
            << " per round, " << s.rounds << " round" << (s.rounds == 1 ? "" : "s") << ", epochs "
            << rungs_text(session.setup->rungs)
            << (s.halving > 0 ? " (successive halving, eta " + std::to_string(s.halving) + ")" : "")
            << (s.folds >= 2 ? ", " + std::to_string(s.folds) + "-fold cross-validation" : "")
            << "; " << session.parallel << " at once x " << threads << " thread"
            << (threads == 1 ? "" : "s") << " (" << session.cores << " cores); " << session.plan.dir
            << "\n";
  if (session.parallel > session.cores)
    std::cerr << "nabla: tune.parallel " << session.parallel << " is above the " << session.cores
              << " cores: trials will share cores and each run slower\n";
  if (s.halving > 0 && session.setup->base.text("schedule.name") == "onecycle")
    std::cerr << "nabla: schedule onecycle spans train.epochs, so with halving a trial stopped at "
                 "a rung followed a shorter cycle than a full one\n";
}

std::vector<std::pair<std::string, std::string>> report_facts(const TuneArgs& args,
                                                               const Session& session,
                                                               const tune::SearchOutcome& outcome,
                                                               double seconds) {
  const tune::TuneSettings& s = session.setup->settings;
  std::ostringstream time;
  time << std::fixed << std::setprecision(1) << seconds << " s, " << outcome.runs << " trainings";
  return {{"config", args.config},
          {"search", s.method + ", " + std::to_string(s.rounds) + " round(s), epochs " +
                         rungs_text(session.setup->rungs)},
          {"trials", std::to_string(outcome.ranked.size()) +
                         (outcome.complete ? "" : " (search not finished)")},
          {"metric", s.metric},
          {"this call", time.str()},
          {"parallel", std::to_string(session.parallel) + " x " +
                           std::to_string(session.plan.threads) + " thread(s)"}};
}

int tune_command(const TuneArgs& args) {
  Session session;
  try {
    prepare(args, session);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  print_header(args, session);
  const tune::SearchPlan& plan = session.plan;
  tune::ProcessExecutor executor(
      {.program = "/proc/self/exe", .parallel = session.parallel, .max_runs = args.max_trials});
  const auto started = std::chrono::steady_clock::now();
  tune::SearchOutcome outcome;
  try {
    outcome = tune::run_search(plan, *session.setup, *session.ledger, executor.executor(),
                               [](const std::string& line) { std::cout << line << std::endl; });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const tune::ResultsTable table = tune::write_outputs(
        plan, *session.setup, outcome, report_facts(args, session, outcome, seconds));
    print_summary(plan, *session.setup, outcome, table);
  } catch (const std::exception& error) {
    // Before any training, an error is the input's (a ledger that does not match the config).
    return report_error(error.what(), executor.started() == 0 ? kExitBadInput : kExitFailure);
  }
  const std::string resume = "nabla tune " + args.config + " --out " + plan.dir + " --resume";
  if (executor.interrupted()) {
    std::cerr << "nabla: interrupted; the trials checkpointed. Continue with: " << resume << "\n";
    return kExitInterrupted;
  }
  if (!outcome.complete)
    std::cout << "stopped after " << executor.started()
              << " trainings (--max-trials); continue with: " << resume << "\n";
  const bool any_ok = std::any_of(outcome.ranked.begin(), outcome.ranked.end(), [](const auto& r) {
    return r.status == tune::Status::ok;
  });
  if (!outcome.ranked.empty() && !any_ok)
    return report_error("every trial failed; their logs are under " + plan.dir + "/trials/",
                        kExitFailure);
  return 0;
}

}  // namespace

void register_tune(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<TuneArgs>();
  auto* command = app.add_subcommand("tune", "search hyperparameters (the config's [tune] section)");
  command->add_option("config", args->config, "TOML config with a [tune] section (examples/tune_mlp.toml)")
      ->required();
  command->add_option("--set", args->sets, "override a key of the base config: --set train.epochs=5")
      ->allow_extra_args(false);
  command->add_option("--out", args->out, "tune directory (default runs/<config name>-tune)");
  command->add_flag("--resume", args->resume, "continue the search in the tune directory");
  command->add_option("--max-trials", args->max_trials,
                      "start at most this many trainings, then stop (continue with --resume)");
  commands.emplace_back(command, [args] { return tune_command(*args); });
}

}  // namespace nabla::cli
