#include "nabla/run/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/run/setup.hpp"

namespace nabla::run {
namespace {

using ::testing::HasSubstr;

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(Config, DefaultsAndValues) {
  const Config c = Config::from_string("[optimizer]\nname = \"adam\"\nlr = 3e-4\n", "t.toml");
  EXPECT_EQ(c.text("optimizer.name"), "adam");
  EXPECT_DOUBLE_EQ(c.number("optimizer.lr"), 3e-4);
  EXPECT_EQ(c.integer("train.batch_size"), 64);  // schema default
  EXPECT_EQ(c.numbers("optimizer.betas"), (std::vector<double>{0.9, 0.999}));
  EXPECT_TRUE(c.is_set("optimizer.lr"));
  EXPECT_FALSE(c.is_set("train.epochs"));
  EXPECT_EQ(c.where("optimizer.lr"), "t.toml:3");
}

TEST(Config, IntegerAcceptedWhereANumberIsExpected) {
  const Config c = Config::from_string("[optimizer]\nlr = 1\n", "t.toml");
  EXPECT_DOUBLE_EQ(c.number("optimizer.lr"), 1.0);
}

TEST(Config, UnknownKeyNamesTheNearestValidOne) {
  const std::string message = error_of(
      [] { Config::from_string("[optimizer]\nlearning_rat = 0.1\n", "x.toml"); });
  EXPECT_THAT(message, HasSubstr("unknown key 'optimizer.learning_rat'"));
  EXPECT_THAT(message, HasSubstr("x.toml:2"));
  EXPECT_THAT(error_of([] { Config::from_string("[optimizer]\nmomentun = 0.9\n", "x.toml"); }),
              HasSubstr("did you mean 'optimizer.momentum'?"));
  // A key in the wrong section points to the right one.
  EXPECT_THAT(error_of([] { Config::from_string("[train]\nlr = 0.1\n", "x.toml"); }),
              HasSubstr("did you mean 'optimizer.lr'?"));
  EXPECT_THAT(error_of([] { Config::from_string("[trian]\nepochs = 1\n", "x.toml"); }),
              HasSubstr("unknown key 'trian"));
  // Other frameworks' names for a key, as docs/training.md promises.
  EXPECT_THAT(error_of([] { Config::from_string("[optimizer]\nlearning_rate = 0.1\n", "x.toml"); }),
              HasSubstr("did you mean 'optimizer.lr'?"));
  EXPECT_THAT(error_of([] { Config::from_string("[train]\nnum_epochs = 3\n", "x.toml"); }),
              HasSubstr("did you mean 'train.epochs'?"));
}

TEST(Config, UnknownKeyInsideATableList) {
  const std::string message = error_of([] {
    Config::from_string("[[model.layers]]\ntype = \"linear\"\nout_feature = 3\n", "x.toml");
  });
  EXPECT_THAT(message, HasSubstr("unknown key 'out_feature' in model.layers"));
  EXPECT_THAT(message, HasSubstr("did you mean 'out_features'?"));
}

TEST(Config, WrongTypeNamesKeyAndValue) {
  EXPECT_THAT(error_of([] { Config::from_string("[train]\nepochs = \"ten\"\n", "x.toml"); }),
              HasSubstr("train.epochs must be an integer, got \"ten\" (x.toml:2)"));
  EXPECT_THAT(error_of([] { Config::from_string("[train]\nepochs = 1.5\n", "x.toml"); }),
              HasSubstr("train.epochs must be an integer"));
}

TEST(Config, SyntaxErrorNamesLineAndColumn) {
  EXPECT_THAT(error_of([] { Config::from_string("[train\nepochs = 1\n", "bad.toml"); }),
              HasSubstr("bad.toml:1:"));
}

TEST(Config, SetOverridesFileValuesAndIsChecked) {
  const Config c = Config::from_string("[optimizer]\nlr = 0.1\n", "t.toml",
                                       {"optimizer.lr=0.5", "optimizer.name=adam",
                                        "model.hidden=[32, 16]", "train.epochs=3"});
  EXPECT_DOUBLE_EQ(c.number("optimizer.lr"), 0.5);
  EXPECT_EQ(c.text("optimizer.name"), "adam");  // a bare word is a string
  EXPECT_EQ(c.integers("model.hidden"), (std::vector<int64_t>{32, 16}));
  EXPECT_EQ(c.integer("train.epochs"), 3);
  EXPECT_EQ(c.where("optimizer.lr"), "--set optimizer.lr");
  EXPECT_THAT(error_of([] { Config::from_string("", "t.toml", {"optimizer.lrr=1"}); }),
              HasSubstr("did you mean 'optimizer.lr'?"));
  EXPECT_THAT(error_of([] { Config::from_string("", "t.toml", {"novalue"}); }),
              HasSubstr("expected key=value"));
}

TEST(Config, ResolvedTomlHoldsEveryKeyAndParsesBack) {
  const Config c = Config::from_string(
      "[optimizer]\nlr = 0.25\n[[model.layers]]\ntype = \"relu\"\n", "t.toml");
  const std::string text = c.resolved_toml();
  const Config again = Config::from_string(text, "resolved.toml");
  for (const KeyHelp& key : config_keys()) {
    if (key.type == "an array of tables") continue;
    EXPECT_TRUE(again.is_set(key.key)) << key.key;
  }
  EXPECT_DOUBLE_EQ(again.number("optimizer.lr"), 0.25);
  ASSERT_EQ(again.tables("model.layers").size(), 1u);
  EXPECT_EQ(again.tables("model.layers")[0].text("type", ""), "relu");
}

TEST(Config, ChoiceListsValidValuesAndNearest) {
  const Config c = Config::from_string("[optimizer]\nname = \"adamm\"\n", "t.toml");
  EXPECT_THAT(error_of([&] { choice(c, "optimizer.name", {"sgd", "adam"}); }),
              HasSubstr("did you mean 'adam'?"));
}

TEST(Setup, BadValuesNameTheKey) {
  const Config negative_lr = Config::from_string("[optimizer]\nlr = -0.1\n", "t.toml");
  EXPECT_THAT(error_of([&] { make_loader_options(Config::from_string("[train]\nbatch_size = 0\n", "t.toml")); }),
              HasSubstr("train.batch_size must be >= 1, got 0"));
  const data::Splits splits = load_data(Config::from_string(
      "[data]\ndataset = \"spirals\"\nspiral_points = 20\n", "t.toml"));
  auto model = make_model(Config::from_string("[model]\nname = \"mlp\"\nhidden = [4]\n", "t.toml"),
                          splits.train.sample_shape(), 2);
  EXPECT_THAT(error_of([&] { make_optimizer(negative_lr, *model); }),
              HasSubstr("optimizer.lr must be > 0"));
  EXPECT_THAT(error_of([&] {
                load_data(Config::from_string("[data]\ndir = \"/nonexistent/fmnist\"\n", "t.toml"));
              }),
              HasSubstr("data.dir"));
}

TEST(Setup, PrecisionIsF32ByDefaultAndReducedPrecisionNeedsCuda) {
  EXPECT_EQ(make_trainer_options(Config::from_string("", "t.toml")).precision, Precision::f32);
  EXPECT_EQ(make_trainer_options(Config::from_string("[train]\nprecision = \"f32\"\n", "t.toml"))
                .precision,
            Precision::f32);
  for (const char* name : {"f16", "bf16"}) {
    const Config c = Config::from_string("", "p.toml", {"train.precision=" + std::string(name)});
    const std::string message = error_of([&] { make_trainer_options(c); });
    EXPECT_THAT(message, HasSubstr("train.precision = \"" + std::string(name) +
                                   "\" needs train.device = \"cuda\""));
    EXPECT_THAT(message, HasSubstr("the CPU computes in float32"));
    EXPECT_THAT(message, HasSubstr("--set train.precision"));
  }
  for (const char* name : {"f64", "half"}) {
    const Config c = Config::from_string("[train]\nprecision = \"" + std::string(name) + "\"\n",
                                         "p.toml");
    const std::string message = error_of([&] { make_trainer_options(c); });
    EXPECT_THAT(message, HasSubstr("train.precision is '" + std::string(name) +
                                   "'; valid: f32, bf16, f16"));
    EXPECT_THAT(message, HasSubstr("p.toml:2"));
  }
  if (!cuda_available()) return;  // the accepted reduced precisions need a GPU
  const Config gpu = Config::from_string("[train]\ndevice = \"cuda\"\nprecision = \"f16\"\n",
                                         "gpu.toml");
  EXPECT_EQ(make_trainer_options(gpu).precision, Precision::f16);
}

TEST(Setup, LayerListInfersSizesAndEndsAtTheClasses) {
  const Config c = Config::from_string(
      "[model]\nname = \"layers\"\n"
      "[[model.layers]]\ntype = \"conv2d\"\nout_channels = 4\nkernel_size = 3\npadding = 1\n"
      "[[model.layers]]\ntype = \"relu\"\n"
      "[[model.layers]]\ntype = \"maxpool2d\"\n"
      "[[model.layers]]\ntype = \"flatten\"\n"
      "[[model.layers]]\ntype = \"linear\"\n",
      "t.toml");
  auto model = make_model(c, {1, 8, 8}, 3);
  EXPECT_EQ((*model)(zeros({5, 1, 8, 8})).shape(), (Shape{5, 3}));
  EXPECT_EQ(model->parameter_count(), 4 * 9 + 4 + (4 * 16) * 3 + 3);
  const Config missing_flatten = Config::from_string(
      "[model]\nname = \"layers\"\n[[model.layers]]\ntype = \"linear\"\n", "t.toml");
  EXPECT_THAT(error_of([&] { make_model(missing_flatten, {1, 8, 8}, 3); }), HasSubstr("flatten"));
  const Config typo = Config::from_string(
      "[model]\nname = \"layers\"\n[[model.layers]]\ntype = \"lineer\"\n", "t.toml");
  EXPECT_THAT(error_of([&] { make_model(typo, {4}, 3); }), HasSubstr("did you mean 'linear'?"));
}

}  // namespace
}  // namespace nabla::run
