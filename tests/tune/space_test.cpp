// The search space of `nabla tune`: parsing and its errors, sampling on each scale (log is
// uniform in log10), the grid's cartesian product, the coarse-to-fine refinement, the --set
// overrides (including fields of [[model.layers]]) and the successive-halving arithmetic.
#include <cmath>
#include <set>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/tune/search.hpp"
#include "nabla/tune/space.hpp"

namespace nabla::tune {
namespace {

using ::testing::HasSubstr;

const char* kBase = R"(
[model]
name = "layers"
hidden = [256, 128]

[[model.layers]]
type = "flatten"

[[model.layers]]
type = "linear"
out_features = 64

[[model.layers]]
type = "dropout"
p = 0.2

[[model.layers]]
type = "linear"

[[model.layers]]
type = "dropout"
p = 0.1

[optimizer]
lr = 0.01
name = "sgd"
)";

run::Config config_with(const std::string& tune) {
  return run::Config::from_string(std::string(kBase) + tune, "space.toml");
}

std::string param(const std::string& body) { return "\n[[tune.params]]\n" + body + "\n"; }

std::string parse_error(const std::string& tune) {
  try {
    parse_space(config_with(tune));
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no error for:\n" << tune;
  return "";
}

TEST(TuneSpace, ParsesEveryScaleAndKeyForm) {
  const SearchSpace space = parse_space(config_with(
      param("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0") +
      param("key = \"optimizer.momentum\"\nscale = \"log1m\"\nmin = 0.5\nmax = 0.999") +
      param("key = \"model.layers[1].out_features\"\nscale = \"int\"\nmin = 32\nmax = 512") +
      param("key = \"model.layers[*].p\"\nscale = \"linear\"\nmin = 0\nmax = 0.5") +
      param("key = \"optimizer.name\"\nscale = \"choice\"\nchoices = [\"sgd\", \"adam\"]") +
      param("key = \"model.hidden[0]\"\nscale = \"choice\"\nvalues = [64, 128]")));
  ASSERT_EQ(space.params.size(), 6u);
  EXPECT_EQ(space.params[0].scale, Scale::log);
  EXPECT_EQ(space.params[0].min, 1e-4);
  EXPECT_FALSE(space.params[0].integer);
  EXPECT_EQ(space.params[1].scale, Scale::log1m);
  EXPECT_EQ(space.params[2].path.key, "model.layers");
  EXPECT_EQ(space.params[2].path.index, 1);
  EXPECT_EQ(space.params[2].path.field, "out_features");
  EXPECT_TRUE(space.params[2].integer);
  EXPECT_EQ(space.params[3].path.index, KeyPath::kEveryTable);
  EXPECT_EQ(space.params[4].choices, (std::vector<std::string>{"\"sgd\"", "\"adam\""}));
  EXPECT_EQ(space.params[5].path.index, 0);
  EXPECT_TRUE(space.params[5].integer);
  EXPECT_EQ(space.index_of("optimizer.momentum"), 1u);
}

TEST(TuneSpace, ErrorsNameTheTableTheKeyAndTheFix) {
  const std::string lr = param("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0");
  std::string e = parse_error(lr + param("key = \"optimizer.lrr\"\nscale = \"log\"\nmin = 1\nmax = 2"));
  EXPECT_THAT(e, HasSubstr("[[tune.params]] number 2 (space.toml:"));
  EXPECT_THAT(e, HasSubstr("did you mean 'optimizer.lr'"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 0\nmax = 1")),
              HasSubstr("a log scale needs 0 < min"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.lr\"\nscale = \"linear\"\nmin = 1\nmax = 0.5")),
              HasSubstr("needs min < max"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.lr\"\nscale = \"linear\"")), HasSubstr("needs min and max"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.momentum\"\nscale = \"log1m\"\nmin = 0.5\nmax = 1")),
              HasSubstr("needs max < 1"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.lr\"\nscale = \"choice\"")),
              HasSubstr("a choice needs either values"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.name\"\nscale = \"linear\"\nmin = 0\nmax = 1")),
              HasSubstr("search it with scale = \"choice\""));
  EXPECT_THAT(parse_error(param("key = \"optimizer.lr\"\nscale = \"logg\"\nmin = 1\nmax = 2")),
              HasSubstr("did you mean 'log'"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.lr\"\nmin = 1\nmax = 2")), HasSubstr("needs scale ="));
  EXPECT_THAT(parse_error(param("scale = \"log\"\nmin = 1\nmax = 2")), HasSubstr("needs key ="));
  EXPECT_THAT(parse_error(lr + lr), HasSubstr("is searched twice"));
  EXPECT_THAT(parse_error(param("key = \"train.epochs\"\nscale = \"int\"\nmin = 1\nmax = 5")),
              HasSubstr("tune.epochs"));
  EXPECT_THAT(parse_error(param("key = \"model.layers\"\nscale = \"int\"\nmin = 1\nmax = 5")),
              HasSubstr("model.layers[1].out_features"));
  EXPECT_THAT(parse_error(param("key = \"model.layers[9].p\"\nscale = \"linear\"\nmin = 0\nmax = 1")),
              HasSubstr("has 5 tables"));
  EXPECT_THAT(parse_error(param("key = \"model.layers[*].kernel_size\"\nscale = \"int\"\nmin = 1\nmax = 5")),
              HasSubstr("no table of model.layers sets kernel_size"));
  EXPECT_THAT(parse_error(param("key = \"model.layers[1].out_featurs\"\nscale = \"int\"\nmin = 1\nmax = 5")),
              HasSubstr("did you mean 'out_features'"));
  EXPECT_THAT(parse_error(param("key = \"model.hidden[2]\"\nscale = \"int\"\nmin = 1\nmax = 5")),
              HasSubstr("has 2 elements"));
  EXPECT_THAT(parse_error(param("key = \"optimizer.lr[0]\"\nscale = \"log\"\nmin = 1\nmax = 5")),
              HasSubstr("not an array"));
  EXPECT_THAT(parse_error(param("key = \"model.hidden\"\nscale = \"int\"\nmin = 1\nmax = 5") +
                          param("key = \"model.hidden[0]\"\nscale = \"int\"\nmin = 1\nmax = 5")),
              HasSubstr("keep one"));
  EXPECT_THAT(parse_error(""), HasSubstr("tune.params is empty"));
}

TEST(TuneSpace, CheckValuesTriesEachChoiceOnTheConfig) {
  const run::Config base = config_with(
      param("key = \"optimizer.nesterov\"\nscale = \"choice\"\nchoices = [\"true\", \"maybe\"]"));
  const SearchSpace space = parse_space(base);
  try {
    check_values(space, base, [&](const std::vector<std::string>& sets) {
      return run::Config::from_string(std::string(kBase), "space.toml", sets);
    });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("key 'optimizer.nesterov': the value maybe does not fit"));
  }
}

SearchSpace single(const std::string& body) { return parse_space(config_with(param(body))); }

TEST(TuneSpace, LogScaleSamplesUniformlyInLog10) {
  const SearchSpace space = single("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0");
  RandomStream rng(7, 0);
  std::vector<int> decades(4, 0);
  const int n = 8000;
  for (int i = 0; i < n; ++i) {
    const double x = sample_point(space, rng)[0].number();
    ASSERT_GE(x, 1e-4);
    ASSERT_LE(x, 1.0);
    ++decades[std::min(3, static_cast<int>(std::floor(std::log10(x) + 4)))];
  }
  for (int count : decades) EXPECT_NEAR(count / static_cast<double>(n), 0.25, 0.03);
}

TEST(TuneSpace, Log1mSpreadsMomentumOverTheNines) {
  const SearchSpace space = single("key = \"optimizer.momentum\"\nscale = \"log1m\"\nmin = 0.9\nmax = 0.999");
  RandomStream rng(3, 0);
  int below = 0;
  for (int i = 0; i < 4000; ++i) {
    const double x = sample_point(space, rng)[0].number();
    ASSERT_GE(x, 0.9);
    ASSERT_LE(x, 0.999);
    below += x < 0.99;
  }
  EXPECT_NEAR(below / 4000.0, 0.5, 0.04);
}

TEST(TuneSpace, IntegersAndChoicesCoverTheirRange) {
  const SearchSpace space = parse_space(config_with(
      param("key = \"model.layers[1].out_features\"\nscale = \"int\"\nmin = 3\nmax = 6") +
      param("key = \"optimizer.name\"\nscale = \"choice\"\nchoices = [\"sgd\", \"adam\"]")));
  RandomStream rng(1, 0);
  std::set<std::string> widths, names;
  for (int i = 0; i < 200; ++i) {
    const Point p = sample_point(space, rng);
    widths.insert(p[0].toml);
    names.insert(p[1].label());
  }
  EXPECT_EQ(widths, (std::set<std::string>{"3", "4", "5", "6"}));
  EXPECT_EQ(names, (std::set<std::string>{"sgd", "adam"}));
}

TEST(TuneSpace, SampledValuesAreRoundedToFourDigits) {
  const SearchSpace space = single("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0");
  RandomStream rng(5, 1);
  for (int i = 0; i < 50; ++i) {
    const Value v = sample_point(space, rng)[0];
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", v.number());
    EXPECT_EQ(std::strtod(text, nullptr), v.number()) << v.toml;
  }
  EXPECT_EQ(make_value(space.params[0], 0.0123456).toml, "0.01235");
  EXPECT_EQ(make_value(single("key = \"optimizer.momentum\"\nscale = \"log1m\"\nmin = 0.5\nmax = 0.99999")
                           .params[0], 0.9999371).toml, "0.9999371");
}

TEST(TuneSpace, GridIsTheCartesianProductFirstParameterSlowest) {
  const SearchSpace space = parse_space(config_with(
      param("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0\npoints = 3") +
      param("key = \"optimizer.name\"\nscale = \"choice\"\nchoices = [\"sgd\", \"adam\"]") +
      param("key = \"optimizer.momentum\"\nscale = \"linear\"\nvalues = [0.5, 0.9]")));
  const std::vector<Point> points = grid(space);
  ASSERT_EQ(points.size(), 12u);
  EXPECT_EQ(grid_size(space), 12u);
  EXPECT_EQ(points[0][0].toml, "0.0001");
  EXPECT_EQ(points[4][0].toml, "0.01");  // evenly spaced in log10
  EXPECT_EQ(points[11][0].toml, "1");
  EXPECT_EQ(points[0][1].toml, "\"sgd\"");
  EXPECT_EQ(points[2][1].toml, "\"adam\"");
  EXPECT_EQ(points[0][2].toml, "0.5");
  EXPECT_EQ(points[1][2].toml, "0.9");
}

TEST(TuneSpace, RefinementNarrowsAroundTheBestAndStaysInRange) {
  const SearchSpace space = parse_space(config_with(
      param("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0") +
      param("key = \"model.layers[1].out_features\"\nscale = \"int\"\nmin = 16\nmax = 512") +
      param("key = \"optimizer.name\"\nscale = \"choice\"\nchoices = [\"sgd\", \"adam\", \"adamw\"]")));
  const std::vector<Point> best = {{{"0.01"}, {"100"}, {"\"adam\""}},
                                   {{"0.03"}, {"120"}, {"\"adam\""}},
                                   {{"0.8"}, {"500"}, {"\"sgd\""}}};
  const SearchSpace narrow = refine(space, {best[0], best[1]});
  const Param& lr = narrow.params[0];
  EXPECT_LE(lr.min, 0.01);
  EXPECT_GE(lr.max, 0.03);
  EXPECT_LT(std::log10(lr.max / lr.min), 0.5 * std::log10(1.0 / 1e-4));  // narrower
  EXPECT_LE(narrow.params[1].min, 100);
  EXPECT_GE(narrow.params[1].max, 120);
  EXPECT_EQ(narrow.params[1].min, std::round(narrow.params[1].min));
  EXPECT_EQ(narrow.params[2].choices, (std::vector<std::string>{"\"adam\""}));
  // The new ends are short numbers, so a grid's end points are exactly them.
  for (double end : {lr.min, lr.max}) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4g", end);
    EXPECT_EQ(std::strtod(text, nullptr), end);
  }
  // Best values at the edge: the range is clipped to the original, never beyond it.
  const SearchSpace edge = refine(space, {best[2]});
  EXPECT_LE(edge.params[0].max, 1.0);
  EXPECT_GE(edge.params[0].min, 1e-4);
  EXPECT_LE(edge.params[1].max, 512);
  RandomStream rng(2, 1);
  for (int i = 0; i < 200; ++i) {
    const Point p = sample_point(narrow, rng);
    EXPECT_GE(p[0].number(), lr.min);
    EXPECT_LE(p[0].number(), lr.max);
  }
}

TEST(TuneSpace, OverridesReachIntoListsOfTables) {
  const run::Config base = config_with(
      param("key = \"model.layers[*].p\"\nscale = \"linear\"\nmin = 0\nmax = 0.5") +
      param("key = \"model.layers[1].out_features\"\nscale = \"int\"\nmin = 16\nmax = 512") +
      param("key = \"model.hidden\"\nscale = \"int\"\nmin = 16\nmax = 512") +
      param("key = \"optimizer.lr\"\nscale = \"log\"\nmin = 1e-4\nmax = 1.0"));
  const SearchSpace space = parse_space(base);
  const Point base_values = base_point(base, space);
  EXPECT_EQ(base_values[0].toml, "0.2");
  EXPECT_EQ(base_values[1].toml, "64");
  EXPECT_EQ(base_values[3].number(), 0.01);
  const std::vector<std::string> sets = overrides(base, space, {{"0.3"}, {"100"}, {"32"}, {"0.05"}});
  ASSERT_EQ(sets.size(), 3u);
  const run::Config changed = run::Config::from_string(kBase, "space.toml", sets);
  const std::vector<run::ConfigTable> layers = changed.tables("model.layers");
  ASSERT_EQ(layers.size(), 5u);
  EXPECT_EQ(layers[1].integer("out_features", 0), 100);
  EXPECT_EQ(layers[2].number("p", 0), 0.3);
  EXPECT_EQ(layers[4].number("p", 0), 0.3);
  EXPECT_FALSE(layers[3].has("p"));
  EXPECT_EQ(changed.integers("model.hidden"), (std::vector<int64_t>{32, 32}));
  EXPECT_EQ(changed.number("optimizer.lr"), 0.05);
}

TEST(TuneSpace, ValuesKnowTheirNumberAndLabel) {
  EXPECT_EQ(Value{"0.01"}.number(), 0.01);
  EXPECT_EQ(Value{"128"}.number(), 128);
  EXPECT_TRUE(std::isnan(Value{"\"adam\""}.number()));
  EXPECT_TRUE(std::isnan(Value{"[1, 2]"}.number()));
  EXPECT_EQ(Value{"\"adam\""}.label(), "adam");
  EXPECT_EQ(Value{"[1, 2]"}.label(), "[1, 2]");
}

TEST(TuneHalving, RungsGrowByEtaUpToTheBudget) {
  EXPECT_EQ(halving_rungs(1, 3, 9), (std::vector<int64_t>{1, 3, 9}));
  EXPECT_EQ(halving_rungs(1, 3, 10), (std::vector<int64_t>{1, 3, 9, 10}));
  EXPECT_EQ(halving_rungs(1, 2, 8), (std::vector<int64_t>{1, 2, 4, 8}));
  EXPECT_EQ(halving_rungs(2, 3, 5), (std::vector<int64_t>{2, 5}));
  EXPECT_EQ(halving_rungs(2, 0, 5), (std::vector<int64_t>{5}));
  EXPECT_EQ(halving_rungs(5, 3, 5), (std::vector<int64_t>{5}));
  EXPECT_EQ(survivors(9, 3), 3);
  EXPECT_EQ(survivors(8, 3), 3);
  EXPECT_EQ(survivors(2, 3), 1);
  EXPECT_EQ(survivors(7, 0), 7);
}

TEST(TuneSettings, ChecksTheTuneSection) {
  EXPECT_EQ(read_settings(config_with("\n[train]\nepochs = 7\n")).epochs, 7);
  const auto error_of = [](const std::string& tune) {
    try {
      read_settings(config_with(tune));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_THAT(error_of("\n[tune]\nhalving = 1\n"), HasSubstr("tune.halving must be 0 (off) or >= 2"));
  EXPECT_THAT(error_of("\n[tune]\nmethod = \"grdi\"\n"), HasSubstr("did you mean 'grid'"));
  EXPECT_THAT(error_of("\n[tune]\nhalving = 3\nmin_epochs = 5\nepochs = 3\n"),
              HasSubstr("tune.min_epochs is above the 3 epochs"));
  EXPECT_THAT(error_of("\n[tune]\ntrials = 0\n"), HasSubstr("tune.trials must be in [1, 100000], got 0"));
}

TEST(TuneSpace, TheExampleConfigIsAValidSearch) {
  const tune::SearchPlan plan{.config_path = std::string(NABLA_EXAMPLES_DIR) + "/tune_mlp.toml"};
  const SearchSetup setup = prepare_search(plan);
  EXPECT_EQ(setup.space.params.size(), 5u);
  EXPECT_EQ(setup.rungs, (std::vector<int64_t>{1, 3, 9}));
}

}  // namespace
}  // namespace nabla::tune
