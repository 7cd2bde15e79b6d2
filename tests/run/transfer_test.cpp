// Transfer learning from the config: pretrained weights minus an excluded head, frozen layers,
// per-layer learning rates, and the errors that keep a typo from passing silently.
#include <filesystem>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/io/safetensors.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/ops.hpp"
#include "nabla/random.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::run {
namespace {

using ::testing::HasSubstr;

// A 2-feature MLP config (layers 0: linear 2->8, 1: tanh, 2: linear 8->classes) with extra
// lines in its [model] section, then further sections (`rest`), and extra [data] lines.
Config mlp_config(const std::string& model_extra, const std::string& rest = "",
                  const std::string& data_extra = "") {
  return Config::from_string("[data]\ndataset = \"spirals\"\n" + data_extra + R"(
[model]
name = "layers"
layers = [{type = "linear", out_features = 8}, {type = "tanh"}, {type = "linear"}]
)" + model_extra + "\n" + rest, "transfer_test.toml");
}

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "(no error)";
}

std::string saved_model(const std::string& name, int64_t classes) {
  manual_seed(7);
  const auto model = make_model(mlp_config(""), {2}, classes);
  const std::string path = (std::filesystem::temp_directory_path() / name).string();
  io::save_safetensors(path, model->state_dict());
  return path;
}

TEST(Transfer, NamePatterns) {
  EXPECT_TRUE(name_matches("features.*", "features.0.weight"));
  EXPECT_TRUE(name_matches("*.bias", "fc.bias"));
  EXPECT_TRUE(name_matches("layer?.weight", "layer1.weight"));
  EXPECT_TRUE(name_matches("*", "anything"));
  EXPECT_TRUE(name_matches("a*b*c", "a.x.b.y.c"));
  EXPECT_FALSE(name_matches("features.*", "classifier.weight"));
  EXPECT_FALSE(name_matches("0.*", "10.weight"));
  EXPECT_FALSE(name_matches("a*b", "a.b.c"));
}

TEST(Transfer, LoadsEverythingButTheExcludedHead) {
  const std::string path = saved_model("transfer_source.safetensors", 4);
  const Config config = mlp_config("pretrained = \"" + path + "\"\npretrained_exclude = [\"2.*\"]\n");
  manual_seed(99);
  const auto model = make_model(config, {2}, 3);  // a new head for 3 classes
  const Tensor head_before = model->state_dict()[2].second.clone();
  const std::optional<PretrainedLoad> loaded = load_pretrained(config, *model);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->loaded, 2);
  EXPECT_EQ(loaded->kept_new, (std::vector<std::string>{"2.weight", "2.bias"}));
  EXPECT_EQ(loaded->ignored, 2);
  const io::SafetensorsContents source = io::load_safetensors(path);
  const nn::StateDict now = model->state_dict();
  EXPECT_TRUE(allclose(now[0].second, source.tensors[0].second, 0, 0));  // 0.weight copied
  EXPECT_TRUE(allclose(now[2].second, head_before, 0, 0));              // the head kept new
}

TEST(Transfer, MisShapedOrMissingTensorsNameTheFix) {
  const std::string path = saved_model("transfer_source4.safetensors", 4);
  manual_seed(1);
  const auto model = make_model(mlp_config(""), {2}, 3);
  const Config no_exclude = mlp_config("pretrained = \"" + path + "\"\n");
  const std::string shape_error = error_of([&] { load_pretrained(no_exclude, *model); });
  EXPECT_THAT(shape_error, HasSubstr("tensor '2.weight' has shape [4, 8]"));
  EXPECT_THAT(shape_error, HasSubstr("model.pretrained_exclude"));

  const Config typo = mlp_config("pretrained = \"" + path + "\"\npretrained_exclude = [\"head.*\"]\n");
  EXPECT_THAT(error_of([&] { load_pretrained(typo, *model); }),
              HasSubstr("pattern \"head.*\" matches no tensor of the model; its names are 0.weight"));

  const Config missing_file = mlp_config("pretrained = \"/nonexistent/run\"\n");
  EXPECT_THAT(error_of([&] { load_pretrained(missing_file, *model); }),
              HasSubstr("neither a safetensors file nor a run directory"));

  io::save_safetensors(path, {{"other", zeros({1})}});
  const Config wrong_model = mlp_config("pretrained = \"" + path + "\"\n");
  EXPECT_THAT(error_of([&] { load_pretrained(wrong_model, *model); }),
              HasSubstr("has no tensor '0.weight'"));
}

TEST(Transfer, FrozenParametersAreLeftOutOfTheOptimizer) {
  const Config config = mlp_config("", "[train]\nfreeze = [\"0.*\"]\n[optimizer]\nlr = 0.5\n");
  manual_seed(3);
  const auto model = make_model(config, {2}, 2);
  EXPECT_EQ(freeze_parameters(config, *model), (std::vector<std::string>{"0.weight", "0.bias"}));
  const Tensor frozen_before = model->named_parameters()[0].second.clone();
  const Tensor head_before = model->named_parameters()[2].second.clone();
  auto optimizer = make_optimizer(config, *model);
  ASSERT_EQ(optimizer->param_groups().size(), 1u);
  EXPECT_EQ(optimizer->param_groups()[0].params.size(), 2u);
  const Tensor x = randn({4, 2});
  optimizer->zero_grad();
  const Tensor y = (*model)(x);
  (y * y).sum().backward();
  optimizer->step();
  EXPECT_TRUE(allclose(model->named_parameters()[0].second, frozen_before, 0, 0));
  EXPECT_FALSE(allclose(model->named_parameters()[2].second, head_before, 0, 0));

  const Config all = mlp_config("", "[train]\nfreeze = [\"*\"]\n");
  const auto everything = make_model(all, {2}, 2);
  freeze_parameters(all, *everything);
  EXPECT_THAT(error_of([&] { make_optimizer(all, *everything); }),
              HasSubstr("every parameter of the model is frozen"));
  const Config typo = mlp_config("", "[train]\nfreeze = [\"features.*\"]\n");
  EXPECT_THAT(error_of([&] { freeze_parameters(typo, *everything); }),
              HasSubstr("train.freeze"));
}

TEST(Transfer, ParameterGroupsCarryTheirOwnLearningRates) {
  const Config config = mlp_config("", R"(
[optimizer]
lr = 0.1
[[optimizer.param_groups]]
pattern = "0.*"
lr = 0.001
[[optimizer.param_groups]]
pattern = "*.bias"
weight_decay = 0.01
)");
  const auto model = make_model(config, {2}, 2);
  auto optimizer = make_optimizer(config, *model);
  const auto& groups = optimizer->param_groups();
  ASSERT_EQ(groups.size(), 3u);
  EXPECT_EQ(groups[0].params.size(), 2u);  // 0.weight, 0.bias: the first match wins
  EXPECT_DOUBLE_EQ(groups[0].lr(), 0.001);
  EXPECT_EQ(groups[1].params.size(), 1u);  // 2.bias
  EXPECT_DOUBLE_EQ(groups[1].options.at("weight_decay"), 0.01);
  EXPECT_DOUBLE_EQ(groups[1].lr(), 0.1);
  EXPECT_EQ(groups[2].params.size(), 1u);  // 2.weight under the optimizer's own settings
  EXPECT_DOUBLE_EQ(groups[2].lr(), 0.1);

  const Config unmatched = mlp_config("", "[[optimizer.param_groups]]\npattern = \"conv.*\"\nlr = 0.1\n");
  EXPECT_THAT(error_of([&] { make_optimizer(unmatched, *model); }),
              HasSubstr("matches no trainable parameter"));
  EXPECT_THAT(error_of([&] { mlp_config("", "[[optimizer.param_groups]]\npattern = \"0.*\"\nlr = 0\n"); }),
              HasSubstr("optimizer.param_groups.lr must be > 0"));
}

TEST(Transfer, DataClassesSelectsAndRelabels) {
  const Config config = mlp_config("", "", "spiral_classes = 4\nclasses = [3, 1]\n");
  const data::Splits splits = load_data(config);
  EXPECT_EQ(splits.train.num_classes, 2);
  for (int64_t t : splits.train.targets.to_vector<int64_t>()) EXPECT_TRUE(t == 0 || t == 1);
  EXPECT_EQ(splits.train.size() + splits.validation.size() + splits.test.size(), 2 * 300);
  const Config bad = mlp_config("", "", "classes = [0, 7]\n");
  EXPECT_THAT(error_of([&] { load_data(bad); }), HasSubstr("data.classes"));
}

}  // namespace
}  // namespace nabla::run
