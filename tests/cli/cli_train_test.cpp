// `nabla train` end to end on a 2,000-image Fashion-MNIST subset, `eval` and `predict` on its
// run directory, and the checkpoint contract: a run killed with SIGKILL (or stopped with Ctrl-C)
// mid-epoch and resumed ends with bitwise the weights of an uninterrupted run.
#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <thread>

#include "nabla/io/safetensors.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kExamples = NABLA_EXAMPLES_DIR;

TEST(CliTrain, LeNetOnASubsetLeavesARunDirectory) {
  const std::string dir = fresh_dir("lenet_subset");
  const CommandResult r = run_nabla(
      {"train", kExamples + "/fashion_mnist_lenet.toml", "--out", dir, "--set", "data.train_limit=2000",
       "--set", "data.test_limit=500", "--set", "train.epochs=2", "--set", "train.threads=1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("test accuracy: "));
  EXPECT_THAT(r.out, HasSubstr("report: " + dir + "/report.html"));
  for (const char* file : {"config.toml", "metrics.jsonl", "model.safetensors", "preprocess.safetensors",
                           "report.html", "checkpoint/last.safetensors"})
    EXPECT_TRUE(fs::exists(dir + "/" + file)) << file;
  // The resolved config holds the overrides and every default.
  const std::string resolved = read_text(dir + "/config.toml");
  EXPECT_THAT(resolved, HasSubstr("train_limit = 2000"));
  EXPECT_THAT(resolved, HasSubstr("early_stopping"));
  // The saved weights carry PyTorch's names (lenet5 is an nn.Sequential).
  const io::SafetensorsContents model = io::load_safetensors(dir + "/model.safetensors");
  EXPECT_EQ(model.tensors.front().first, "0.weight");

  const CommandResult eval = run_nabla({"eval", dir});
  ASSERT_EQ(eval.exit_code, 0) << eval.err;
  EXPECT_THAT(eval.out, HasSubstr("(500 samples)"));
  // The saved model and preprocessing reproduce training's own test accuracy (a trainer that
  // lost its preprocessing would train on raw pixels and disagree here).
  const auto accuracy_line = [](const std::string& text) {
    const size_t at = text.find("test accuracy: ");
    return at == std::string::npos ? std::string() : text.substr(at, text.find('%', at) - at);
  };
  EXPECT_EQ(accuracy_line(eval.out), accuracy_line(r.out));
  EXPECT_FALSE(accuracy_line(r.out).empty());
  EXPECT_THAT(eval.out, HasSubstr("confusion matrix"));

  io::save_safetensors(dir + "/in.safetensors", {{"input", zeros({3, 1, 28, 28})}});
  const CommandResult predict = run_nabla({"predict", dir, dir + "/in.safetensors", dir + "/out.safetensors"});
  ASSERT_EQ(predict.exit_code, 0) << predict.err;
  const io::SafetensorsContents out = io::load_safetensors(dir + "/out.safetensors");
  ASSERT_EQ(out.tensors.size(), 2u);  // the older form of predict: probabilities, predicted
  const auto probabilities = std::find_if(out.tensors.begin(), out.tensors.end(),
                                          [](const auto& t) { return t.first == "probabilities"; });
  ASSERT_NE(probabilities, out.tensors.end());
  EXPECT_EQ(probabilities->second.shape(), (Shape{3, 10}));
  const std::vector<float> p = probabilities->second.to_vector<float>();
  EXPECT_NEAR(p[0] + p[1] + p[2] + p[3] + p[4] + p[5] + p[6] + p[7] + p[8] + p[9], 1.0, 1e-5);

  io::save_safetensors(dir + "/bad.safetensors", {{"input", zeros({3, 5})}});
  const CommandResult bad = run_nabla({"predict", dir, dir + "/bad.safetensors", dir + "/o2.safetensors"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("[1, 28, 28]"));
  EXPECT_FALSE(fs::exists(dir + "/o2.safetensors"));
  fs::remove_all(dir);
}

// Dropout (global RNG), mixup (batch streams), a step schedule and Adam state all have to come
// back from the checkpoint for the weights to match.
std::vector<std::string> resume_args(const std::string& out) {
  return {"train", kExamples + "/fashion_mnist_mlp.toml", "--out", out,
          "--set", "data.train_limit=3000", "--set", "data.test_limit=200",
          "--set", "model.name=layers",
          "--set", "model.layers=[{type=\"flatten\"}, {type=\"linear\", out_features=64}, "
                   "{type=\"relu\"}, {type=\"dropout\", p=0.2}, {type=\"linear\"}]",
          "--set", "augment.mixup=0.2", "--set", "schedule.name=step", "--set", "schedule.step_size=1",
          "--set", "train.epochs=3", "--set", "train.batch_size=32", "--set", "train.threads=1",
          "--set", "train.checkpoint_every=20", "--set", "train.log_every=5"};
}

void wait_for_file(const std::string& path) {
  for (int i = 0; i < 20000 && !fs::exists(path); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TEST(CliTrain, KilledRunResumesToTheUninterruptedWeights) {
  const std::string dir = fresh_dir("resume_kill");
  const CommandResult whole = run_nabla(resume_args(dir + "/whole"));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;

  const pid_t child = start_nabla(resume_args(dir + "/killed"), dir);
  wait_for_file(dir + "/killed/checkpoint/last.safetensors");
  std::this_thread::sleep_for(std::chrono::milliseconds(30));  // past the checkpoint, mid-epoch
  kill(child, SIGKILL);
  ASSERT_EQ(wait_for(child), 128 + SIGKILL);
  ASSERT_FALSE(fs::exists(dir + "/killed/model.safetensors")) << "the run ended before the kill";

  std::vector<std::string> again = resume_args(dir + "/killed");
  again.push_back("--resume");
  const CommandResult resumed = run_nabla(again);
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(read_text(dir + "/killed/model.safetensors"), read_text(dir + "/whole/model.safetensors"));
  // The log holds each step once: the lines the killed run wrote after its checkpoint are gone.
  auto lines = [](const std::string& text) { return std::count(text.begin(), text.end(), '\n'); };
  EXPECT_EQ(lines(read_text(dir + "/killed/metrics.jsonl")), lines(read_text(dir + "/whole/metrics.jsonl")));

  // Ctrl-C: exit 130 with a checkpoint, and the same weights after --resume.
  const pid_t interrupted = start_nabla(resume_args(dir + "/interrupted"), dir);
  wait_for_file(dir + "/interrupted/checkpoint/last.safetensors");
  kill(interrupted, SIGINT);
  ASSERT_EQ(wait_for(interrupted), 130) << read_text(dir + "/stderr.txt");
  EXPECT_THAT(read_text(dir + "/stderr.txt"), HasSubstr("--resume"));
  std::vector<std::string> continued = resume_args(dir + "/interrupted");
  continued.push_back("--resume");
  ASSERT_EQ(run_nabla(continued).exit_code, 0);
  EXPECT_EQ(read_text(dir + "/interrupted/model.safetensors"), read_text(dir + "/whole/model.safetensors"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace nabla::testing_cli
