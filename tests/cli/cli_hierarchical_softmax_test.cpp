// loss.name = "hierarchical_softmax" from the outside: `nabla train` on 6 spirals swaps the last
// linear layer for the class tree (balanced, Huffman or clustered), trains through the path loss, saves the
// tree with the weights, and `nabla eval` rebuilds the model from the run folder to the same
// accuracy; a model with no final linear layer and label smoothing are refused with the fix.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>

#include "nabla/io/safetensors.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;

const std::string kSpiral = std::string(NABLA_EXAMPLES_DIR) + "/spiral.toml";

std::vector<std::string> spiral_args(const std::string& out, const std::string& tree) {
  return {"train", kSpiral, "--out", out, "--set", "loss.name=\"hierarchical_softmax\"",
          "--set", "loss.tree=\"" + tree + "\"", "--set", "data.spiral_classes=6",
          "--set", "train.epochs=60", "--set", "train.log_every=100"};
}

double accuracy_in(const std::string& text) {
  const auto pos = text.find("test accuracy: ");
  return pos == std::string::npos ? -1.0 : std::stod(text.substr(pos + 15));
}

TEST(CliHierarchicalSoftmax, TrainsSavesTheTreeAndEvaluatesTheSame) {
  for (const std::string tree : {"balanced", "huffman", "clustered"}) {
    SCOPED_TRACE(tree);
    const std::string dir = fresh_dir("hsoftmax_" + tree);
    const CommandResult trained = run_nabla(spiral_args(dir, tree));
    ASSERT_EQ(trained.exit_code, 0) << trained.err;
    const double accuracy = accuracy_in(trained.out);
    EXPECT_GT(accuracy, 60.0) << trained.out;  // chance is 16.7%
    std::map<std::string, Shape> shapes;
    for (const auto& [name, t] : io::load_safetensors(dir + "/model.safetensors").tensors)
      shapes[name] = t.shape();
    EXPECT_EQ(shapes["4.tree"], (Shape{5, 2}));  // C − 1 nodes for 6 classes
    EXPECT_EQ(shapes["4.weight"], (Shape{5, 64}));
    const CommandResult evaluated = run_nabla({"eval", dir});
    ASSERT_EQ(evaluated.exit_code, 0) << evaluated.err;
    EXPECT_NEAR(accuracy_in(evaluated.out), accuracy, 1e-9) << evaluated.out;
    std::filesystem::remove_all(dir);
  }
}

TEST(CliHierarchicalSoftmax, TheStepGraphIsThePathLossTrainingStepsOn) {
  const CommandResult graph = run_nabla({"graph", kSpiral, "--set", "loss.name=\"hierarchical_softmax\"",
                                         "--set", "data.spiral_classes=6"});
  ASSERT_EQ(graph.exit_code, 0) << graph.err;
  EXPECT_THAT(graph.out, HasSubstr("label=\"index_select"));  // the targets' node vectors
  EXPECT_THAT(graph.out, ::testing::Not(HasSubstr("label=\"cross_entropy")));  // not every class
}

TEST(CliHierarchicalSoftmax, RefusesModelsWithoutALinearHeadAndLabelSmoothing) {
  const std::string dir = fresh_dir("hsoftmax_bad");
  std::vector<std::string> args = spiral_args(dir, "balanced");
  args.insert(args.end(), {"--set", "model.layers=[{type=\"linear\"}, {type=\"tanh\"}]"});
  const CommandResult no_head = run_nabla(args);
  EXPECT_EQ(no_head.exit_code, 2);
  EXPECT_THAT(no_head.err, HasSubstr("loss.name"));
  EXPECT_THAT(no_head.err, HasSubstr("ending in {type = \"linear\"}"));
  args = spiral_args(dir, "balanced");
  args.insert(args.end(), {"--set", "loss.label_smoothing=0.1"});
  const CommandResult smoothing = run_nabla(args);
  EXPECT_EQ(smoothing.exit_code, 2);
  EXPECT_THAT(smoothing.err, HasSubstr("loss.label_smoothing"));
  args = spiral_args(dir, "huffmann");
  const CommandResult typo = run_nabla(args);
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_THAT(typo.err, HasSubstr("loss.tree"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nabla::testing_cli
