// Ensembles, snapshot ensembles, feature extraction and transfer learning through the `nabla`
// command, on the spiral data (no files, seconds per run).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/io/safetensors.hpp"
#include "nabla/ops.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kSpiral = std::string(NABLA_EXAMPLES_DIR) + "/spiral.toml";

// Trains the spiral example with `sets` (plus few epochs) into a fresh directory `name`.
std::string train_spiral(const std::string& name, std::vector<std::string> sets) {
  const std::string dir = fresh_dir(name);
  std::vector<std::string> args = {"train", kSpiral, "--out", dir, "--set", "train.epochs=15",
                                   "--set", "train.monitor=false"};
  for (const std::string& set : sets) args.insert(args.end(), {"--set", set});
  const CommandResult r = run_nabla(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return dir;
}

TEST(CliEnsemble, TwoSeedsAgainstTheirBestMember) {
  const std::string a = train_spiral("ens_a", {"train.seed=1"});
  const std::string b = train_spiral("ens_b", {"train.seed=2"});
  const CommandResult r = run_nabla({"eval", a, b});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr(a));
  EXPECT_THAT(r.out, HasSubstr("best single member"));
  EXPECT_THAT(r.out, HasSubstr("ensemble of 2"));
  EXPECT_THAT(r.out, HasSubstr("confusion matrix"));

  const std::string other = train_spiral("ens_other", {"data.spiral_classes=3"});
  const CommandResult mismatch = run_nabla({"eval", a, other});
  EXPECT_EQ(mismatch.exit_code, 2);
  EXPECT_THAT(mismatch.err, HasSubstr("ensemble members must share the task"));
}

TEST(CliEnsemble, SnapshotsOfWarmRestartCycles) {
  const std::string dir = train_spiral(
      "snapshots", {"schedule.name=\"cosine_restarts\"", "schedule.t_0=5", "train.snapshots=true"});
  for (int cycle = 1; cycle <= 3; ++cycle)
    EXPECT_TRUE(fs::exists(dir + "/snapshots/cycle-" + std::to_string(cycle) + ".safetensors"));
  const CommandResult r = run_nabla({"eval", dir, "--snapshots"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("ensemble of 3"));

  const CommandResult wrong_schedule =
      run_nabla({"train", kSpiral, "--out", fresh_dir("snap_bad"), "--set", "train.snapshots=true"});
  EXPECT_EQ(wrong_schedule.exit_code, 2);
  EXPECT_THAT(wrong_schedule.err, HasSubstr("cosine_restarts"));
  const CommandResult none = run_nabla({"eval", train_spiral("snap_none", {}), "--snapshots"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("holds no cycle-<k>.safetensors"));
}

TEST(CliFeatures, PenultimateFeaturesAsSafetensorsAndCsv) {
  const std::string dir = train_spiral("features", {});
  const CommandResult r = run_nabla({"features", dir, "--out", dir + "/f.safetensors"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const io::SafetensorsContents file = io::load_safetensors(dir + "/f.safetensors");
  ASSERT_EQ(file.tensors.size(), 2u);
  EXPECT_EQ(file.tensors[0].first, "features");
  EXPECT_EQ(file.tensors[0].second.shape(), (Shape{60, 64}));  // 10% of 600 points; 64 tanh units
  EXPECT_EQ(file.tensors[1].second.shape(), (Shape{60}));
  // tanh features lie in [-1, 1].
  for (float f : file.tensors[0].second.to_vector<float>()) ASSERT_LE(std::abs(f), 1.0f);

  const CommandResult csv = run_nabla({"features", dir, "--split", "train", "--out", dir + "/f.csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  const std::string text = read_text(dir + "/f.csv");
  EXPECT_EQ(text.rfind("f0,f1,", 0), 0u);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1 + 480);

  const CommandResult bad = run_nabla({"features", dir, "--out", dir + "/f.txt"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_FALSE(fs::exists(dir + "/f.txt"));
}

TEST(CliTransfer, PretrainedFrozenFeaturesWithANewHead) {
  const std::string base = train_spiral("pretrain", {"data.spiral_classes=4", "data.classes=[0, 1]"});
  const std::string pretrained = "model.pretrained=\"" + base + "\"";
  const std::string dir = fresh_dir("transfer");
  const CommandResult r = run_nabla(
      {"train", kSpiral, "--out", dir, "--set", "train.epochs=5", "--set", "data.spiral_classes=4",
       "--set", "data.classes=[2, 3]", "--set", pretrained, "--set", "model.pretrained_exclude=[\"4.*\"]",
       "--set", "train.freeze=[\"0.*\", \"2.*\"]"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("pretrained: 4 tensors from " + base + "; new: 4.weight 4.bias"));
  EXPECT_THAT(r.out, HasSubstr("frozen: 4 parameter tensors"));
  // The frozen layers still hold the pretrained weights after training.
  const io::SafetensorsContents before = io::load_safetensors(base + "/model.safetensors");
  const io::SafetensorsContents after = io::load_safetensors(dir + "/model.safetensors");
  EXPECT_TRUE(allclose(before.tensors[0].second, after.tensors[0].second, 0, 0));
  EXPECT_FALSE(allclose(before.tensors[4].second, after.tensors[4].second, 0, 0));

  const CommandResult no_exclude = run_nabla(
      {"train", kSpiral, "--out", fresh_dir("transfer_bad"), "--set", "data.spiral_classes=3",
       "--set", pretrained});
  EXPECT_EQ(no_exclude.exit_code, 2);
  EXPECT_THAT(no_exclude.err, HasSubstr("model.pretrained_exclude"));
}

}  // namespace
}  // namespace nabla::testing_cli
