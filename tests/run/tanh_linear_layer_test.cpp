// The config keys of tanh_linear and of tanh's approximate: a layer list builds the modules they
// name (β learned per feature, the rational kernel), and a bad value is refused with the layer's
// file:line and the fix, or by the schema before any layer is built. `nabla train` with these
// layers: tests/cli/cli_tanh_linear_test.cpp.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "nabla/run/config.hpp"
#include "nabla/run/setup.hpp"
#include "support/harness.hpp"

namespace nabla::run {
namespace {

using ::testing::HasSubstr;
using nabla::testing::throws_error_containing;

std::string model_with(const std::string& layer) {
  return "[model]\nname = \"layers\"\n[[model.layers]]\ntype = \"linear\"\nout_features = 6\n"
         "[[model.layers]]\n" + layer + "\n[[model.layers]]\ntype = \"linear\"\n";
}

TEST(TanhLinearLayer, BuildsConstantLearnedAndRationalLayers) {
  const Config learned = Config::from_string(
      model_with("type = \"tanh_linear\"\nbeta = 0.2\nlearnable_beta = true\n"
                 "approximate = \"rational\""),
      "t.toml");
  auto model = make_model(learned, {4}, 3);
  std::ostringstream text;
  text << *model;
  EXPECT_THAT(text.str(), HasSubstr("TanhLinear(beta=0.2, learnable=True, num_parameters=6, "
                                    "approximate='rational')"));
  bool found = false;
  for (const auto& [name, param] : model->named_parameters()) {
    if (name != "1.beta") continue;
    found = true;
    EXPECT_EQ(param.shape(), (Shape{6}));  // one per feature of the linear layer before
  }
  EXPECT_TRUE(found);
  EXPECT_EQ((*model)(zeros({5, 4})).shape(), (Shape{5, 3}));

  const Config constant = Config::from_string(model_with("type = \"tanh_linear\""), "t.toml");
  std::ostringstream constant_text;
  constant_text << *make_model(constant, {4}, 3);
  EXPECT_THAT(constant_text.str(), HasSubstr("TanhLinear(beta=0.1, learnable=False)"));

  const Config fast_tanh =
      Config::from_string(model_with("type = \"tanh\"\napproximate = \"rational\""), "t.toml");
  std::ostringstream tanh_text;
  tanh_text << *make_model(fast_tanh, {4}, 3);
  EXPECT_THAT(tanh_text.str(), HasSubstr("Tanh(approximate='rational')"));
}

TEST(TanhLinearLayer, BadValuesAreRefusedWithTheFix) {
  const Config fast =
      Config::from_string(model_with("type = \"tanh_linear\"\napproximate = \"fast\""), "b.toml");
  EXPECT_TRUE(throws_error_containing([&] { make_model(fast, {4}, 3); },
                                      {"approximate = \"fast\"", "\"rational\"", "b.toml"}));
  EXPECT_TRUE(throws_error_containing([] {
    Config::from_string(model_with("type = \"tanh_linear\"\nbeta = nan"), "n.toml");
  }, {"beta", "n.toml"}));
  EXPECT_TRUE(throws_error_containing([] {
    Config::from_string(model_with("type = \"tanh_linear\"\nlearnable_beta = 1"), "k.toml");
  }, {"learnable_beta", "k.toml"}));
}

}  // namespace
}  // namespace nabla::run
