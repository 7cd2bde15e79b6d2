// nabla's own TOML writer (run/toml_write.cpp), through the config it writes into run
// directories: shortest floats that read back exactly, and every value keeping its TOML type.
#include "run/toml_write.hpp"

#include <cmath>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <limits>

#include "nabla/run/config.hpp"

namespace nabla::run {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(TomlWrite, FloatsAreShortestAndStayFloats) {
  EXPECT_EQ(toml_float(0.1), "0.1");
  EXPECT_EQ(toml_float(1e-3), "0.001");
  EXPECT_EQ(toml_float(1e-8), "1e-08");
  EXPECT_EQ(toml_float(3.0), "3.0");  // not "3", which TOML reads as an integer
  EXPECT_EQ(toml_float(-0.0), "-0.0");
  EXPECT_EQ(toml_float(1e300), "1e+300");
  EXPECT_EQ(toml_float(0.1 + 0.2), "0.30000000000000004");  // the digits it needs, no fewer
  EXPECT_EQ(toml_float(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(toml_float(-std::numeric_limits<double>::infinity()), "-inf");
  EXPECT_EQ(toml_float(std::nan("")), "nan");
}

TEST(TomlWrite, StringsEscapeQuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(toml_quote("plain"), "\"plain\"");
  EXPECT_EQ(toml_quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(toml_quote("tab\there\x7f"), "\"tab\\u0009here\\u007f\"");
}

// A config with a float, an integer written into a number key, floats that need an exponent or
// a ".0", a string to escape, arrays and a list of tables.
constexpr const char* kConfig = R"([data]
validation = 0.1
path = "a \"quoted\" \\ path"
[optimizer]
lr = 1e-3
momentum = 3.0
weight_decay = 1e300
eps = 1
betas = [0.9, 0.999]
[train]
epochs = 7
[[model.layers]]
type = "dropout"
p = 0.1
[[model.layers]]
type = "linear"
out_features = 10
)";

TEST(TomlWrite, ResolvedConfigReadsBackToTheSameValuesAndTypes) {
  const Config config = Config::from_string(kConfig, "t.toml");
  const std::string text = config.resolved_toml();
  EXPECT_THAT(text, HasSubstr("\nvalidation = 0.1\n"));
  EXPECT_THAT(text, HasSubstr("\nlr = 0.001\n"));
  EXPECT_THAT(text, HasSubstr("\nmomentum = 3.0\n"));
  EXPECT_THAT(text, HasSubstr("\nweight_decay = 1e+300\n"));
  EXPECT_THAT(text, HasSubstr("\neps = 1\n"));  // an integer stays an integer
  EXPECT_THAT(text, HasSubstr("\nepochs = 7\n"));
  EXPECT_THAT(text, HasSubstr("\nbetas = [0.9, 0.999]\n"));
  EXPECT_THAT(text, HasSubstr("\n[[model.layers]]\np = 0.1\ntype = \"dropout\"\n"));
  EXPECT_THAT(text, Not(HasSubstr("0000000")));

  const Config again = Config::from_string(text, "resolved.toml");
  EXPECT_EQ(again.number("data.validation"), 0.1);  // exactly, not nearly
  EXPECT_EQ(again.text("data.path"), "a \"quoted\" \\ path");
  EXPECT_EQ(again.number("optimizer.lr"), 1e-3);
  EXPECT_EQ(again.number("optimizer.momentum"), 3.0);
  EXPECT_EQ(again.number("optimizer.weight_decay"), 1e300);
  EXPECT_EQ(again.numbers("optimizer.betas"), (std::vector<double>{0.9, 0.999}));
  EXPECT_EQ(again.integer("train.epochs"), 7);
  const std::vector<ConfigTable> layers = again.tables("model.layers");
  ASSERT_EQ(layers.size(), 2u);
  EXPECT_EQ(layers[0].values.at("p"), "0.1");
  EXPECT_EQ(layers[1].integer("out_features", 0), 10);
  // Written again, the document does not change: nothing is lost or reformatted.
  const std::string body = text.substr(text.find('\n'));
  const std::string twice = again.resolved_toml();
  EXPECT_EQ(twice.substr(twice.find('\n')), body);
}

TEST(TomlWrite, WrongTypeErrorsQuoteTheValueAsWritten) {
  try {
    Config::from_string("[train]\nepochs = 2.5\n", "t.toml");
    FAIL() << "a float for an integer key was accepted";
  } catch (const Error& error) {
    EXPECT_THAT(error.message(), HasSubstr("train.epochs must be an integer, got 2.5 (t.toml:2)"));
  }
}

}  // namespace
}  // namespace nabla::run
