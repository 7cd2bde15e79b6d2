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
  EXPECT_THAT(error_of([&] { load_data(Config::from_string("[data]\ndataset = \"spirals\"\n"
                                                           "split = [0.5, 0.2]\n", "t.toml")); }),
              HasSubstr("data.split must hold three fractions"));
  EXPECT_THAT(error_of([&] {
                load_data(Config::from_string("[data]\ndir = \"/nonexistent/fmnist\"\n", "t.toml"));
              }),
              HasSubstr("data.dir"));
}

// Every numeric key has a range, checked when the config is read (file or --set), with the key,
// the place, the range and the key's help in the message; arrays element by element.
TEST(Config, NumbersOutsideTheirRangeAreRefused) {
  struct Case {
    const char* text;
    std::vector<const char*> expected;
  };
  const Case cases[] = {
      {"[optimizer]\nlr = -0.1\n", {"optimizer.lr must be > 0, got -0.1 (t.toml:2)", "learning rate"}},
      {"[train]\nbatch_size = 0\n", {"train.batch_size must be in [1, 16777216], got 0"}},
      {"[train]\nbatch_size = 1000000000000\n", {"train.batch_size must be in [1, 16777216]"}},
      {"[train]\nworkers = 100000\n", {"train.workers must be in [0, 64], got 100000"}},
      {"[schedule]\nt_max = -1\n", {"schedule.t_max must be >= 0, got -1"}},
      {"[data]\nspiral_points = 1000000000000\n", {"data.spiral_points must be in [2, 10000000]"}},
      {"[data]\nvalidation = 1.0\n", {"data.validation must be in [0, 1), got 1.0"}},
      {"[data]\nsplit = [0.8, 0.1, 1.5]\n", {"data.split must be in [0, 1], got 1.5"}},
      {"[optimizer]\nmomentum = nan\n", {"optimizer.momentum must be >= 0, got nan"}},
      {"[[tune.params]]\nkey = \"optimizer.lr\"\nmin = inf\n",
       {"tune.params.min must be a finite number, got inf (t.toml:3)"}},
      {"[[model.layers]]\ntype = \"linear\"\nout_features = 0\n",
       {"model.layers.out_features must be in [1, 16777216], got 0"}},
  };
  for (const Case& c : cases) {
    const std::string message = error_of([&] { Config::from_string(c.text, "t.toml"); });
    for (const char* part : c.expected) EXPECT_THAT(message, HasSubstr(part)) << c.text;
  }
  EXPECT_THAT(error_of([] { Config::from_string("", "t.toml", {"train.epochs=0"}); }),
              HasSubstr("train.epochs must be in [1, 1000000], got 0 (--set train.epochs)"));
  // Bounds themselves are inside.
  EXPECT_NO_THROW(Config::from_string("[data]\nvalidation = 0.0\n[train]\nbatch_size = 16777216\n",
                                      "t.toml"));
}

TEST(Config, EveryDefaultLiesInItsRangeAndEveryNumericKeyShowsOne) {
  const Config defaults = Config::from_string("", "t.toml");
  for (const KeyHelp& key : config_keys()) {
    const bool numeric = key.type.find("number") != std::string::npos ||
                         key.type.find("integer") != std::string::npos;
    EXPECT_EQ(!key.range.empty(), numeric) << key.key;
  }
  // resolved_toml writes every default; reading it back checks each against its range.
  EXPECT_NO_THROW(Config::from_string(defaults.resolved_toml(), "resolved.toml"));
}

// What toml++ 3.3.0 must never see (an assertion, unreachable code): refused with line:column.
TEST(Config, UnsafeBytesAreRefusedBeforeTheTomlParser) {
  EXPECT_THAT(error_of([] { Config::from_string("[\x10]", "t.toml"); }),
              HasSubstr("t.toml:1:2: control character 0x10"));
  EXPECT_THAT(error_of([] { Config::from_string("x = [1\xcd\x86]\n", "t.toml"); }),
              HasSubstr("t.toml:1:7: non-ASCII character outside a string or comment"));
  EXPECT_THAT(error_of([] { Config::from_string("[train]\n# caf\xe9\n", "t.toml"); }),
              HasSubstr("t.toml:2:6: byte 0xE9 is not UTF-8"));
  EXPECT_THAT(error_of([] { Config::from_string("a = \"\xed\xa0\x80\"", "t.toml"); }),
              HasSubstr("t.toml:1:6: byte 0xED is not UTF-8"));  // a UTF-16 surrogate
  // A backslash before a non-ASCII character, directly or after a line break (fuzz finding
  // tests/fuzz/findings/config/escape_before_non_ascii).
  EXPECT_THAT(error_of([] { Config::from_string("a = \"x\\\xce\x8b\"", "t.toml"); }),
              HasSubstr("t.toml:1:8: a non-ASCII character right after a backslash escape"));
  EXPECT_THAT(error_of([] { Config::from_string("a = \"\"\"x\\\n  \xc3\xa9\"\"\"", "t.toml"); }),
              HasSubstr("non-ASCII character right after a backslash escape"));
  // A quote right after a number opens no string (tests/fuzz/findings/config/quote_after_number).
  EXPECT_THAT(error_of([] { Config::from_string("lr = 0'0\xcb\x91'\n", "t.toml"); }),
              HasSubstr("t.toml:1:9: non-ASCII character outside a string or comment"));
  // Nor does a quote right after such a quote (tests/fuzz/findings/config/quote_after_quote).
  EXPECT_THAT(error_of([] { Config::from_string("o=0''\xcb\x91", "t.toml"); }),
              HasSubstr("t.toml:1:6: non-ASCII character outside a string or comment"));
  EXPECT_THAT(error_of([] { Config::from_string("a = [\"x\"]'\xc3\xa9'", "t.toml"); }),
              HasSubstr("t.toml:1:11: non-ASCII character outside a string or comment"));
  // Where the scan cannot tell, toml++ parses a copy with the non-ASCII bytes masked first
  // (tests/fuzz/findings/config/value_after_value: --set " =6='\xcb\x91").
  const std::string after_value = error_of([] { Config::from_string("v = 6='\xcb\x91'\n", "t.toml"); });
  EXPECT_THAT(after_value, HasSubstr("t.toml:1:"));
  EXPECT_THAT(after_value, ::testing::Not(HasSubstr("!")));
  EXPECT_THAT(error_of([] { Config::from_string("", "t.toml", {"x=6='\xcb\x91"}); }),
              HasSubstr("x"));
  // Non-ASCII text where TOML allows it: strings (all four kinds), comments.
  const Config fine = Config::from_string(
      "# caf\xc3\xa9 \xe2\x9c\x93\n[data]\npath = \"r\xc3\xa9sum\xc3\xa9 \\\" \xc3\xa9.csv\"\n"
      "[model]\npretrained = '\xc3\xa9'\n[train]\nfreeze = [\"\"\"\n\xc3\xa9\"\"\"\", "
      "'''\xc3\xa9''']\n",
      "t.toml");
  EXPECT_EQ(fine.text("data.path"), "r\xc3\xa9sum\xc3\xa9 \" \xc3\xa9.csv");
  EXPECT_EQ(fine.text("model.pretrained"), "\xc3\xa9");
  EXPECT_EQ(fine.texts("train.freeze"), (std::vector<std::string>{"\xc3\xa9\"", "\xc3\xa9"}));
}

// A --set value is stored in the run's config.toml and read back by eval: it must be UTF-8.
TEST(Config, NonUtf8OverridesAreRefused) {
  EXPECT_THAT(error_of([] { Config::from_string("", "t.toml", {"data.path=/tmp/lat\xe9.csv"}); }),
              HasSubstr("--set 'data.path=/tmp/lat\xe9.csv': byte 0xE9 is not UTF-8"));
  // A UTF-8 bare word is a string and round-trips through resolved_toml.
  const Config utf8 = Config::from_string("", "t.toml", {"data.path=/tmp/lat\xc3\xa9.csv"});
  EXPECT_EQ(utf8.text("data.path"), "/tmp/lat\xc3\xa9.csv");
  EXPECT_EQ(Config::from_string(utf8.resolved_toml(), "r.toml").text("data.path"),
            "/tmp/lat\xc3\xa9.csv");
  // A value toml++ must not parse (non-ASCII in an array) is taken as the bare word it is.
  EXPECT_EQ(Config::from_string("", "t.toml", {"data.path=[1\xcd\x86]"}).text("data.path"),
            "[1\xcd\x86]");
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
