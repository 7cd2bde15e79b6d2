// `nabla train` never loses a run: a directory that holds one is refused without --resume or
// --overwrite; --resume continues with the run's own config.toml (its overrides included) and
// accepts only the --set keys that are safe to change; the command printed after Ctrl-C is the
// whole command, run here verbatim through the shell.
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <thread>

#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

const std::string kSpiral = std::string(NABLA_EXAMPLES_DIR) + "/spiral.toml";

int64_t epoch_lines(const std::string& metrics) {
  int64_t n = 0;
  for (size_t at = metrics.find("\"type\":\"epoch\""); at != std::string::npos;
       at = metrics.find("\"type\":\"epoch\"", at + 1))
    ++n;
  return n;
}

std::vector<std::string> spiral(const std::string& out, std::vector<std::string> more = {}) {
  std::vector<std::string> args = {"train", kSpiral, "--out", out, "--set", "train.epochs=3"};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST(CliRunDir, ADirectoryHoldingARunIsRefusedWithoutResumeOrOverwrite) {
  const std::string dir = fresh_dir("run_dir_refuse") + "/run";
  ASSERT_EQ(run_nabla(spiral(dir)).exit_code, 0);
  const std::string model = read_text(dir + "/model.safetensors");

  const CommandResult again = run_nabla(spiral(dir, {"--set", "optimizer.lr=0.5"}));
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err, HasSubstr(dir + " already holds a run"));
  EXPECT_THAT(again.err, HasSubstr("--resume"));
  EXPECT_THAT(again.err, HasSubstr("--overwrite"));
  EXPECT_EQ(read_text(dir + "/model.safetensors"), model) << "the earlier run was touched";
  EXPECT_THAT(read_text(dir + "/config.toml"), Not(HasSubstr("lr = 0.5")));

  // Only a checkpoint (a run killed before it wrote its model) is a run too.
  fs::remove(dir + "/model.safetensors");
  fs::remove(dir + "/config.toml");
  EXPECT_EQ(run_nabla(spiral(dir)).exit_code, 2);

  const CommandResult both = run_nabla(spiral(dir, {"--resume", "--overwrite"}));
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("exclude each other"));

  const CommandResult replaced =
      run_nabla(spiral(dir, {"--overwrite", "--set", "train.epochs=1", "--set", "optimizer.lr=0.5"}));
  ASSERT_EQ(replaced.exit_code, 0) << replaced.err;
  EXPECT_EQ(epoch_lines(read_text(dir + "/metrics.jsonl")), 1);
  EXPECT_THAT(read_text(dir + "/config.toml"), HasSubstr("lr = 0.5"));
  fs::remove_all(fs::path(dir).parent_path());
}

TEST(CliRunDir, ResumeTakesTheRunsOwnConfigAndOnlySafeOverrides) {
  const std::string dir = fresh_dir("run_dir_resume") + "/run";
  ASSERT_EQ(run_nabla(spiral(dir, {"--set", "optimizer.lr=0.02"})).exit_code, 0);

  const CommandResult unsafe =
      run_nabla({"train", "--resume", "--out", dir, "--set", "optimizer.lr=0.1"});
  EXPECT_EQ(unsafe.exit_code, 2);
  EXPECT_THAT(unsafe.err, HasSubstr("--set optimizer.lr would change the run"));
  EXPECT_THAT(unsafe.err, HasSubstr("train.epochs"));  // what may change
  const CommandResult batch =
      run_nabla({"train", "--resume", "--out", dir, "--set", "train.batch_size=8"});
  EXPECT_EQ(batch.exit_code, 2);
  EXPECT_THAT(batch.err, HasSubstr("train.batch_size"));

  // No positional config: the run's config.toml, lr 0.02 included, and 2 more epochs. A --set
  // that repeats the run's own value is accepted (nabla tune resumes with its whole command).
  const CommandResult more = run_nabla({"train", "--resume", "--out", dir, "--set",
                                        "train.epochs=5", "--set", "optimizer.lr=0.02"});
  ASSERT_EQ(more.exit_code, 0) << more.err;
  const std::string config = read_text(dir + "/config.toml");
  EXPECT_THAT(config, HasSubstr("epochs = 5"));
  EXPECT_THAT(config, HasSubstr("lr = 0.02"));
  EXPECT_EQ(epoch_lines(read_text(dir + "/metrics.jsonl")), 5);

  // A positional config is not read: a note says so, and its other lr changes nothing.
  const CommandResult named = run_nabla(
      {"train", kSpiral, "--resume", "--out", dir, "--set", "train.epochs=6"});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  EXPECT_THAT(named.err, HasSubstr("is not read"));
  EXPECT_THAT(read_text(dir + "/config.toml"), HasSubstr("lr = 0.02"));

  const CommandResult nothing = run_nabla({"train", "--resume", "--out", dir + "_missing"});
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_THAT(nothing.err, HasSubstr("holds no run to continue"));
  const CommandResult nowhere = run_nabla({"train", "--resume"});
  EXPECT_EQ(nowhere.exit_code, 2);
  EXPECT_THAT(nowhere.err, HasSubstr("--out"));
  fs::remove_all(fs::path(dir).parent_path());
}

// Ctrl-C on a run with overrides (300 epochs, not the config's 200): the printed command, run
// verbatim by the shell with `nabla` on the PATH, continues to epoch 300 with the same lr.
TEST(CliRunDir, ThePrintedContinueCommandResumesWithTheOriginalOverrides) {
  const std::string base = fresh_dir("run_dir_continue");
  const std::string dir = base + "/my run";  // a space: the command must quote it
  const pid_t child = start_nabla({"train", kSpiral, "--out", dir, "--set", "train.epochs=300",
                                   "--set", "optimizer.lr=0.005"},
                                  base);
  for (int i = 0; i < 20000 && !fs::exists(dir + "/checkpoint/last.safetensors"); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  kill(child, SIGINT);
  ASSERT_EQ(wait_for(child), 130) << read_text(base + "/stderr.txt");
  const std::string err = read_text(base + "/stderr.txt");
  const std::string marker = "Continue with: ";
  const size_t at = err.find(marker);
  ASSERT_NE(at, std::string::npos) << err;
  const std::string command = err.substr(at + marker.size(), err.find('\n', at) - at - marker.size());
  EXPECT_EQ(command, "nabla train --resume --out '" + dir + "'");

  const std::string bin = fs::path(NABLA_CLI).parent_path().string();
  const std::string shell = "PATH='" + bin + "':\"$PATH\" " + command + " > '" + base +
                            "/continued.txt' 2>&1 < /dev/null";
  ASSERT_EQ(std::system(shell.c_str()), 0) << read_text(base + "/continued.txt");
  const std::string metrics = read_text(dir + "/metrics.jsonl");
  EXPECT_EQ(epoch_lines(metrics), 300);
  EXPECT_THAT(metrics, HasSubstr("\"learning_rate\":0.005"));
  EXPECT_THAT(read_text(dir + "/config.toml"), HasSubstr("epochs = 300"));
  fs::remove_all(base);
}

}  // namespace
}  // namespace nabla::testing_cli
