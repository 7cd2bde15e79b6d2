// `nabla tune` end to end on the spirals (no data files, trials of a second or less): a search
// beats a deliberately poor default, successive halving stops trials early and continues the
// survivors from their checkpoints, a search stopped by --max-trials or Ctrl-C resumes without
// rerunning a finished trial, failed trials are recorded with their exit code and log, and a
// bad search space exits 2 naming the key.
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "nabla/run/config.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Adam at lr 1e-5 barely moves in 20 epochs: any lr of the searched range does better.
const char* kConfig = R"(
[data]
dataset = "spirals"
spiral_points = 300
split = [0.6, 0.3, 0.1]

[model]
name = "layers"

[[model.layers]]
type = "linear"
out_features = 32

[[model.layers]]
type = "tanh"

[[model.layers]]
type = "linear"
out_features = 32

[[model.layers]]
type = "tanh"

[[model.layers]]
type = "linear"

[optimizer]
name = "adam"
lr = 1e-5

[train]
epochs = 20
batch_size = 16
seed = 1
log_every = 100
monitor = false

[tune]
trials = 6
parallel = 2
seed = 3

[[tune.params]]
key = "optimizer.lr"
scale = "log"
min = 3e-3
max = 0.1

[[tune.params]]
key = "model.layers[*].out_features"
scale = "choice"
values = [16, 32]
)";

std::string write_config(const std::string& dir, const std::string& extra = "") {
  const std::string path = dir + "/spiral_tune.toml";
  std::ofstream(path) << kConfig << extra;
  return path;
}

std::vector<nlohmann::json> ledger_lines(const std::string& tune_dir) {
  std::vector<nlohmann::json> lines;
  std::ifstream in(tune_dir + "/trials.jsonl");
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

std::vector<std::string> tune_args(const std::string& config, const std::string& out,
                                   std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"tune", config, "--out", out};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

TEST(CliTune, FindsBetterThanAPoorDefaultWithHalving) {
  const std::string dir = fresh_dir("tune_halving");
  const std::string out = dir + "/search";
  const CommandResult r = run_nabla(tune_args(
      write_config(dir), out,
      {"--set", "tune.halving=2", "--set", "tune.min_epochs=10", "--set", "tune.epochs=20"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("default (trial 0): val_accuracy"));
  EXPECT_THAT(r.out, HasSubstr("points over the default"));

  std::map<int64_t, std::map<int64_t, nlohmann::json>> by_trial;  // id → rung → line
  for (const nlohmann::json& line : ledger_lines(out))
    by_trial[line["id"].get<int64_t>()][line["rung"].get<int64_t>()] = line;
  ASSERT_EQ(by_trial.size(), 6u);
  ASSERT_TRUE(by_trial[0].count(1)) << "the default always gets the full budget";
  const double base = by_trial[0][1]["metric"].get<double>();
  double best = 0;
  size_t full = 0;
  for (auto& [id, rungs] : by_trial) {
    ASSERT_TRUE(rungs.count(0));
    if (!rungs.count(1)) continue;
    ++full;
    EXPECT_EQ(rungs[1]["epochs"], 20);
    best = std::max(best, rungs[1]["metric"].get<double>());
    // A survivor continued from its checkpoint: every epoch once in its metrics.
    std::ifstream metrics(out + "/trials/000" + std::to_string(id) + "/metrics.jsonl");
    int epochs = 0;
    for (std::string line; std::getline(metrics, line);) epochs += line.find("\"type\":\"epoch\"") != std::string::npos;
    EXPECT_EQ(epochs, 20) << "trial " << id;
  }
  EXPECT_LE(full, 4u);  // ceil(6 / 2) survivors and the default
  EXPECT_GE(full, 2u);
  EXPECT_GT(best, base + 0.1);

  for (const char* file : {"results.csv", "results.md", "best.toml", "tune_report.html", "base.toml"})
    EXPECT_TRUE(fs::exists(out + "/" + file)) << file;
  EXPECT_THAT(read_text(out + "/tune_report.html"), HasSubstr("id=\"param-optimizer-lr\""));
  // best.toml is a config `nabla train` takes: the winning lr, the full epochs.
  const run::Config winner = run::Config::from_file(out + "/best.toml");
  EXPECT_EQ(winner.integer("train.epochs"), 20);
  EXPECT_GT(winner.number("optimizer.lr"), 1e-3);
  fs::remove_all(dir);
}

std::map<std::string, fs::file_time_type> model_times(const std::string& out) {
  std::map<std::string, fs::file_time_type> times;
  for (const auto& entry : fs::directory_iterator(out + "/trials"))
    if (fs::exists(entry.path() / "model.safetensors"))
      times[entry.path().filename()] = fs::last_write_time(entry.path() / "model.safetensors");
  return times;
}

TEST(CliTune, AResumedSearchRepeatsNoFinishedTrial) {
  const std::string dir = fresh_dir("tune_resume");
  const std::string config = write_config(dir), out = dir + "/search";
  const std::vector<std::string> small = {"--set", "tune.trials=5", "--set", "tune.epochs=8"};
  std::vector<std::string> first = small;
  first.insert(first.end(), {"--max-trials", "3"});
  const CommandResult stopped = run_nabla(tune_args(config, out, first));
  ASSERT_EQ(stopped.exit_code, 0) << stopped.out << stopped.err;
  EXPECT_THAT(stopped.out, HasSubstr("--resume"));
  ASSERT_EQ(ledger_lines(out).size(), 3u);
  const auto finished = model_times(out);
  EXPECT_EQ(finished.size(), 3u);

  const CommandResult again = run_nabla(tune_args(config, out, small));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr("already holds a search"));
  std::vector<std::string> changed = small;
  changed.insert(changed.end(), {"--set", "train.batch_size=8", "--resume"});
  const CommandResult other = run_nabla(tune_args(config, out, changed));
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_THAT(other.err, HasSubstr("differs from the one this search began with"));

  // A search begun by an older nabla: its base.toml lacks a key added since (loss.tree), which
  // takes its default and is no change.
  std::string base = read_text(out + "/base.toml");
  const auto tree_line = base.find("\ntree = ");
  ASSERT_NE(tree_line, std::string::npos) << base;
  base.erase(tree_line, base.find('\n', tree_line + 1) - tree_line);
  std::ofstream(out + "/base.toml") << base;

  std::vector<std::string> resume = small;
  resume.push_back("--resume");
  const CommandResult resumed = run_nabla(tune_args(config, out, resume));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  std::multiset<int64_t> ids;
  for (const nlohmann::json& line : ledger_lines(out)) ids.insert(line["id"].get<int64_t>());
  EXPECT_EQ(ids, (std::multiset<int64_t>{0, 1, 2, 3, 4}));
  const auto after = model_times(out);
  for (const auto& [trial, time] : finished) EXPECT_EQ(after.at(trial), time) << trial << " was retrained";
  fs::remove_all(dir);
}

TEST(CliTune, CtrlCStopsTheTrialsAndAResumeContinuesThem) {
  const std::string dir = fresh_dir("tune_interrupt");
  const std::string config = write_config(dir), out = dir + "/search";
  const std::vector<std::string> args = tune_args(
      config, out, {"--set", "tune.trials=2", "--set", "tune.epochs=80", "--set", "tune.seed=1"});
  const pid_t pid = start_nabla(args, dir);
  const std::string checkpoint = out + "/trials/0000/checkpoint/last.safetensors";
  for (int i = 0; i < 3000 && !fs::exists(checkpoint); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ASSERT_TRUE(fs::exists(checkpoint));
  kill(pid, SIGINT);
  ASSERT_EQ(wait_for(pid), 130) << read_text(dir + "/stderr.txt");
  EXPECT_THAT(read_text(dir + "/stderr.txt"), HasSubstr("--resume"));
  EXPECT_TRUE(ledger_lines(out).empty());

  std::vector<std::string> resume = args;
  resume.push_back("--resume");
  const CommandResult resumed = run_nabla(resume);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.out << resumed.err;
  EXPECT_EQ(ledger_lines(out).size(), 2u);
  EXPECT_THAT(read_text(out + "/trials/0000/train.log"), HasSubstr("(resumed)"));
  fs::remove_all(dir);
}

TEST(CliTune, FailedTrialsAreRecordedAndTheSearchGoesOn) {
  const std::string dir = fresh_dir("tune_failed");
  const std::string out = dir + "/search";
  // Snapshots without warm restarts pass the config's checks but fail every trial's setup
  // (exit 2).
  const CommandResult r = run_nabla(tune_args(
      write_config(dir), out, {"--set", "train.snapshots=true", "--set", "tune.trials=3"}));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("every trial failed"));
  const std::vector<nlohmann::json> lines = ledger_lines(out);
  ASSERT_EQ(lines.size(), 3u);
  for (const nlohmann::json& line : lines) {
    EXPECT_EQ(line["status"], "failed");
    EXPECT_EQ(line["exit_code"], 2);
    EXPECT_THAT(read_text(out + "/" + line["log"].get<std::string>()), HasSubstr("train.snapshots"));
  }
  EXPECT_TRUE(fs::exists(out + "/results.csv"));
  fs::remove_all(dir);
}

// tune.folds = 3: every trial trains once per fold, each fold's run holds out another third of
// the training and validation rows, and the trial is ranked by the mean (its spread recorded).
TEST(CliTune, KFoldTrainsEveryFoldAndRanksByTheMean) {
  const std::string dir = fresh_dir("tune_folds");
  const std::string out = dir + "/search";
  const CommandResult r = run_nabla(tune_args(
      write_config(dir), out, {"--set", "tune.folds=3", "--set", "tune.trials=2", "--set", "tune.epochs=6"}));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("3-fold cross-validation"));
  EXPECT_THAT(r.out, HasSubstr("(mean ± std over 3 folds)"));
  const std::vector<nlohmann::json> lines = ledger_lines(out);
  ASSERT_EQ(lines.size(), 2u);
  for (const nlohmann::json& line : lines) {
    ASSERT_EQ(line["status"], "ok") << line.dump();
    const std::vector<double> folds = line["fold_metrics"].get<std::vector<double>>();
    ASSERT_EQ(folds.size(), 3u);
    const double mean = (folds[0] + folds[1] + folds[2]) / 3;
    double squares = 0;
    for (double f : folds) squares += (f - mean) * (f - mean);
    EXPECT_NEAR(line["metric"].get<double>(), mean, 1e-12);
    EXPECT_NEAR(line["metric_std"].get<double>(), std::sqrt(squares / 3), 1e-12);
    const std::string trial = out + "/trials/000" + std::to_string(line["id"].get<int>());
    for (int fold = 0; fold < 3; ++fold) {
      const run::Config used = run::Config::from_file(trial + "/fold-" + std::to_string(fold) + "/config.toml");
      EXPECT_EQ(used.integer("data.folds"), 3);
      EXPECT_EQ(used.integer("data.fold"), fold);
    }
  }
  EXPECT_THAT(read_text(out + "/results.csv"), HasSubstr("val_accuracy_std"));
  // best.toml trains the winner on the usual split, not on one fold.
  EXPECT_EQ(run::Config::from_file(out + "/best.toml").integer("data.folds"), 0);
  fs::remove_all(dir);
}

TEST(CliTune, ABadSearchSpaceExitsTwoNamingTheKey) {
  const std::string dir = fresh_dir("tune_bad");
  const std::string config = write_config(
      dir, "\n[[tune.params]]\nkey = \"optimizer.lrr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0\n");
  const CommandResult r = run_nabla(tune_args(config, dir + "/search"));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("[[tune.params]] number 3"));
  EXPECT_THAT(r.err, HasSubstr("'optimizer.lrr'"));
  EXPECT_THAT(r.err, HasSubstr("did you mean 'optimizer.lr'"));
  EXPECT_FALSE(fs::exists(dir + "/search"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nabla::testing_cli
