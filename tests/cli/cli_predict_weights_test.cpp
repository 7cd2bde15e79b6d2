// `nabla predict --weights FILE --model NAME`: a state dict under PyTorch's names in a zoo
// model. A file PyTorch itself wrote (tools/golden/make_torch_weights_fixture.py) gives torch's
// logits; a file nabla writes under the same names gives the model's own; missing, extra and
// mis-shaped tensors are named with the fix, and nothing is written when the input is bad.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "nabla/io/safetensors.hpp"
#include "nabla/models/models.hpp"
#include "nabla/ops.hpp"
#include "nabla/random.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

const std::string kFixtures = NABLA_FIXTURE_DIR;

Tensor tensor_named(const nn::NamedTensors& tensors, const std::string& name) {
  for (const auto& [key, tensor] : tensors)
    if (key == name) return tensor;
  ADD_FAILURE() << "no tensor " << name;
  return {};
}

TEST(CliPredictWeights, APyTorchSavedLenet5GivesTorchsLogits) {
  const std::string dir = fresh_dir("predict_torch_lenet5");
  const std::string batch = kFixtures + "/torch_lenet5_batch.safetensors";
  const CommandResult r = run_nabla({"predict", "--weights", kFixtures + "/torch_lenet5.safetensors",
                                     "--model", "lenet5", batch, "--logits", "-o", dir + "/out.safetensors"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor logits = tensor_named(io::load_safetensors(dir + "/out.safetensors").tensors, "logits");
  const Tensor expected = tensor_named(io::load_safetensors(batch).tensors, "logits");
  ASSERT_EQ(logits.shape(), (Shape{4, 3}));  // 3 classes: the rows of 11.weight
  EXPECT_TRUE(allclose(logits, expected, 1e-5, 1e-6)) << logits << "\n" << expected;

  const CommandResult csv = run_nabla({"predict", "--weights", kFixtures + "/torch_lenet5.safetensors",
                                       "--model", "lenet5", batch});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
            "input,predicted,probability,top2,probability2,top3,probability3");
}

// An MLP 12-8-5 saved by nabla's writer under its state-dict names (PyTorch's), no metadata.
class CliPredictNablaWritten : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fresh_dir("predict_weights");
    manual_seed(4);
    model_ = models::create("mlp", {.num_classes = 5, .in_features = 12, .hidden = {8}});
    model_->eval();
    inputs_ = rand({3, 12});
    io::save_safetensors(dir_ + "/inputs.safetensors", {{"input", inputs_}});
  }
  std::string save(const nn::NamedTensors& state) {
    const std::string path = dir_ + "/weights.safetensors";
    io::save_safetensors(path, state);
    return path;
  }
  CommandResult predict(const std::vector<std::string>& extra) {
    std::vector<std::string> args = {"predict", "--weights", dir_ + "/weights.safetensors",
                                     "--model", "mlp", dir_ + "/inputs.safetensors"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_nabla(args);
  }
  std::string dir_;
  std::shared_ptr<nn::Module> model_;
  Tensor inputs_;
};

TEST_F(CliPredictNablaWritten, GivesTheModelsOwnOutputs) {
  save(model_->state_dict());
  const std::string out = dir_ + "/out.safetensors";
  const CommandResult r = predict({"--set", "model.hidden=[8]", "--input-shape", "12", "--logits", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Tensor logits = tensor_named(io::load_safetensors(out).tensors, "logits");
  EXPECT_TRUE(allclose(logits, (*model_)(inputs_), 1e-6, 1e-7));
  // --classes given agrees with the file; the probabilities sum to one per input.
  const CommandResult given = predict({"--set", "model.hidden=[8]", "--input-shape", "12", "--classes", "5",
                                       "-o", dir_ + "/p.safetensors"});
  ASSERT_EQ(given.exit_code, 0) << given.err;
  const Tensor p = tensor_named(io::load_safetensors(dir_ + "/p.safetensors").tensors, "probabilities");
  EXPECT_TRUE(allclose(sum(p, {1}), ones({3}), 1e-5, 1e-6));
}

TEST_F(CliPredictNablaWritten, MissingExtraAndMisShapedTensorsAreNamed) {
  nn::NamedTensors state = model_->state_dict();
  state.pop_back();  // 3.bias, the output layer's
  state.push_back({"head.weight", zeros({5, 8})});
  save(state);
  const std::string out = dir_ + "/out.csv";
  const CommandResult r = predict({"--set", "model.hidden=[8]", "--input-shape", "12", "-o", out});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("missing from the file: 3.bias"));
  EXPECT_THAT(r.err, HasSubstr("in the file but not in the model: head.weight"));
  EXPECT_THAT(r.err, HasSubstr("nabla summary mlp --names"));
  EXPECT_FALSE(fs::exists(out));

  save(model_->state_dict());
  const CommandResult wider = predict({"--set", "model.hidden=[9]", "--input-shape", "12"});
  EXPECT_EQ(wider.exit_code, 2);
  EXPECT_THAT(wider.err, HasSubstr("shapes differ: 1.weight (file [8, 12], model [9, 12])"));
  // The default widths (256, 128) have a third linear layer, 5, whose rows would give the classes.
  const CommandResult default_width = predict({"--input-shape", "12"});
  EXPECT_EQ(default_width.exit_code, 2);
  EXPECT_THAT(default_width.err, HasSubstr("has no tensor '5.weight', the final layer's weight"));
  const CommandResult classes_given = predict({"--input-shape", "12", "--classes", "5"});
  EXPECT_EQ(classes_given.exit_code, 2);
  EXPECT_THAT(classes_given.err, HasSubstr("missing from the file: 5.weight, 5.bias"));
}

TEST_F(CliPredictNablaWritten, ArgumentsThatDoNotGoTogetherAreRefused) {
  save(model_->state_dict());
  const CommandResult no_model = run_nabla({"predict", "--weights", dir_ + "/weights.safetensors",
                                            dir_ + "/inputs.safetensors"});
  EXPECT_EQ(no_model.exit_code, 2);
  EXPECT_THAT(no_model.err, HasSubstr("--weights needs --model NAME"));
  const CommandResult no_weights = run_nabla({"predict", "--model", "mlp", dir_, dir_ + "/inputs.safetensors"});
  EXPECT_EQ(no_weights.exit_code, 2);
  EXPECT_THAT(no_weights.err, HasSubstr("go with --weights"));
  const CommandResult steps = predict({"--set", "model.hidden=[8]", "--input-shape", "12", "--set",
                                       "preprocess.steps=[{kind=\"standardize\"}]"});
  EXPECT_EQ(steps.exit_code, 2);
  EXPECT_THAT(steps.err, HasSubstr("statistics fitted on the training data"));
  const CommandResult layers = predict({"--set", "model.name=layers"});
  EXPECT_EQ(layers.exit_code, 2);
  EXPECT_THAT(layers.err, HasSubstr("give --input-shape"));
}

}  // namespace
}  // namespace nabla::testing_cli
