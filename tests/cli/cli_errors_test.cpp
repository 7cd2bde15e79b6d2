// Bad input to `nabla`: exit code 2, a message naming the problem and the fix, nothing trained.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/io/safetensors.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::Not;

std::string write_config(const std::string& dir, const std::string& text) {
  const std::string path = dir + "/config.toml";
  std::ofstream(path) << text;
  return path;
}

TEST(CliErrors, UnknownKeyNamesTheNearestValidOne) {
  const std::string dir = fresh_dir("unknown_key");
  const std::string config = write_config(dir, "[optimizer]\nlearning_rate = 0.1\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown key 'optimizer.learning_rate'"));
  EXPECT_THAT(r.err, HasSubstr("config.toml:2"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/run/model.safetensors"));
}

TEST(CliErrors, NegativeLearningRate) {
  const std::string dir = fresh_dir("negative_lr");
  const std::string config = write_config(dir, "[data]\ndataset = \"spirals\"\n");
  const CommandResult r = run_nabla({"train", config, "--set", "optimizer.lr=-0.1", "--out", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("optimizer.lr must be > 0"));
  EXPECT_THAT(r.err, HasSubstr("--set optimizer.lr"));
}

TEST(CliErrors, BatchSizeZero) {
  const std::string dir = fresh_dir("batch_zero");
  const std::string config = write_config(dir, "[data]\ndataset = \"spirals\"\n[train]\nbatch_size = 0\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("train.batch_size must be in [1, 16777216], got 0"));
}

TEST(CliErrors, MixedPrecisionOnTheCpuSaysToUseCuda) {
  const std::string dir = fresh_dir("precision_cpu");
  const std::string config = write_config(dir, "[data]\ndataset = \"spirals\"\n[train]\n"
                                               "precision = \"f16\"\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("train.precision = \"f16\" needs train.device = \"cuda\": the "
                               "CPU computes in float32"));
  EXPECT_THAT(r.err, HasSubstr("config.toml:4"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/run/model.safetensors"));
}

TEST(CliErrors, MissingDatasetSaysWhichPackageToInstall) {
  const std::string dir = fresh_dir("missing_data");
  const std::string config = write_config(dir, "[data]\ndir = \"/nonexistent/fashion-mnist\"\n");
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("apt-get install dataset-fashion-mnist"));
}

TEST(CliErrors, MissingConfigFileAndBadArguments) {
  EXPECT_EQ(run_nabla({"train", "/nonexistent/x.toml"}).exit_code, 2);
  EXPECT_EQ(run_nabla({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(run_nabla({"eval", "/nonexistent/run"}).exit_code, 2);
  EXPECT_THAT(run_nabla({"summary", "lenet6"}).err, HasSubstr("lenet5"));
}

TEST(CliErrors, ConfigThatIsNotARegularFileIsNamed) {
  const std::string dir = fresh_dir("config_dir");
  for (const std::string& path : {dir, std::string("/dev/null")}) {
    const CommandResult r = run_nabla({"train", path, "--out", dir + "/run"});
    EXPECT_EQ(r.exit_code, 2) << path;
    EXPECT_THAT(r.err, HasSubstr("'" + path + "' is ")) << path;
    EXPECT_THAT(r.err, HasSubstr("pass the path of a TOML file")) << path;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/run"));
}

TEST(CliErrors, UnknownCommandSuggestsTheNearestOne) {
  const CommandResult r = run_nabla({"trian", "examples/spiral.toml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'trian'; did you mean 'train'?"));
  EXPECT_THAT(run_nabla({"--verbose", "evla", "runs/x"}).err, HasSubstr("did you mean 'eval'?"));
}

// model.safetensors metadata that is not what nabla writes: a message, not "stoll".
TEST(CliErrors, DamagedModelMetadataIsNamed) {
  const std::string dir = fresh_dir("bad_metadata");
  const std::string config = write_config(dir, "[data]\ndataset = \"spirals\"\n");
  for (const std::string classes : {"abc", "1e20", "99999999999999999999", "0"}) {
    std::filesystem::create_directories(dir + "/run");
    std::filesystem::copy_file(config, dir + "/run/config.toml",
                               std::filesystem::copy_options::overwrite_existing);
    io::save_safetensors(dir + "/run/model.safetensors", {},
                         {{"format", "nabla-model-1"}, {"num_classes", classes},
                          {"sample_shape", "2"}, {"class_names", ""}});
    const CommandResult r = run_nabla({"eval", dir + "/run"});
    EXPECT_EQ(r.exit_code, 2) << classes;
    EXPECT_THAT(r.err, HasSubstr("num_classes metadata \"" + classes + "\", not an integer in [1, "))
        << classes;
  }
}

TEST(CliErrors, ResumeWithoutCheckpoint) {
  const std::string dir = fresh_dir("resume_nothing");
  const std::string config = write_config(dir, "[data]\ndataset = \"spirals\"\n");
  // What a writer killed mid-checkpoint leaves: a temporary of a process that no longer exists.
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  const std::string stale =
      dir + "/run/checkpoint/last.safetensors.tmp." + std::to_string(child) + ".0";
  std::filesystem::create_directories(dir + "/run/checkpoint");
  std::ofstream(stale) << "partial";
  const CommandResult r = run_nabla({"train", config, "--out", dir + "/run", "--resume"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("holds no run to continue"));
  EXPECT_FALSE(std::filesystem::exists(stale)) << "opening the run directory removes it";
}

// A source location as Error::what() appends it: "(config.cpp:230)". Not "(config.toml:2)", which
// names the user's own file and is always shown.
constexpr const char* kSourceLocation = R"(\([a-z_0-9]+\.(cpp|hpp|cu):[0-9]+\))";

// data.classes = [0, 5] of two spiral classes: select_classes' error nested in a config error.
std::vector<std::string> bad_classes_args(const std::string& dir) {
  const std::string config = write_config(dir, "[data]\ndataset = \"spirals\"\nclasses = [0, 5]\n");
  return {"train", config, "--out", dir + "/run"};
}

TEST(CliErrors, SourceLocationsOnlyWithVerboseOrNablaDebug) {
  const std::string dir = fresh_dir("locations");
  const CommandResult plain = run_nabla(bad_classes_args(dir), {{"NABLA_DEBUG", ""}});
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_THAT(plain.err, HasSubstr("data.classes select_classes: class 5"));
  EXPECT_THAT(plain.err, HasSubstr("config.toml:3"));  // the user's file stays
  EXPECT_THAT(plain.err, Not(ContainsRegex(kSourceLocation))) << plain.err;

  // Both the outer error's location and the nested one's.
  std::vector<std::string> verbose_args = bad_classes_args(dir);
  verbose_args.push_back("--verbose");  // a global flag, accepted after the subcommand
  for (const CommandResult& r : {run_nabla(verbose_args, {{"NABLA_DEBUG", ""}}),
                                 run_nabla(bad_classes_args(dir), {{"NABLA_DEBUG", "1"}})}) {
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_THAT(r.err, HasSubstr("data.classes select_classes: class 5"));
    EXPECT_THAT(r.err, ContainsRegex(R"(\(dataset\.cpp:[0-9]+\).*\(config\.cpp:[0-9]+\))")) << r.err;
  }
  // Before the subcommand too; NABLA_DEBUG=0 is off.
  const CommandResult before = run_nabla({"--verbose", "summary", "lenet6"}, {{"NABLA_DEBUG", "0"}});
  EXPECT_THAT(before.err, ContainsRegex(kSourceLocation)) << before.err;
  EXPECT_THAT(run_nabla({"summary", "lenet6"}, {{"NABLA_DEBUG", "0"}}).err,
              Not(ContainsRegex(kSourceLocation)));
}

TEST(CliSummary, LeNetTableAsTheNotesWalkThroughIt) {
  const CommandResult r = run_nabla({"summary", "lenet5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("156"));      // conv1: 6 x (5 x 5 + 1)
  EXPECT_THAT(r.out, HasSubstr("61,706"));   // LeNet-5's total
}

// --names lists the state dict as torch's model.state_dict() would: lenet5 is an nn.Sequential,
// cnn_bn has batch-norm buffers after its parameters.
TEST(CliSummary, NamesListTheStateDict) {
  const CommandResult lenet = run_nabla({"summary", "lenet5", "--names"});
  ASSERT_EQ(lenet.exit_code, 0) << lenet.err;
  EXPECT_THAT(lenet.out, ContainsRegex("0\\.weight +\\[6, 1, 5, 5\\] +parameter"));
  EXPECT_THAT(lenet.out, HasSubstr("10 parameters, 0 buffers"));
  const CommandResult cnn = run_nabla({"summary", "cnn_bn", "--names"});
  ASSERT_EQ(cnn.exit_code, 0) << cnn.err;
  EXPECT_THAT(cnn.out, ContainsRegex("running_mean +\\[32\\] +buffer"));
  EXPECT_LT(cnn.out.find("parameter"), cnn.out.find("buffer"));
}

TEST(CliHelp, ConfigKeysAreListed) {
  const CommandResult r = run_nabla({"train", "--help-config"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("optimizer.lr"));
  EXPECT_THAT(r.out, HasSubstr("train.early_stopping.patience"));
}

}  // namespace
}  // namespace nabla::testing_cli
