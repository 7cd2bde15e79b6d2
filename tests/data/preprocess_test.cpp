// Preprocessing (src/data/preprocess*.cpp, pca.cpp): every step's statistics and outputs
// against NumPy (tests/fixtures/preprocess.json from tools/golden/make_preprocess_fixtures.py),
// fitting on train only, state round trips, whitening's identity covariance, and the errors.
#include "nabla/data/preprocess.hpp"

#include <gmock/gmock.h>

#include "support/fixtures.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;
using data::Preprocessing;
using data::PreprocessStep;

namespace {

constexpr const char* kFixtureFile = "preprocess.json";

// Statistics come from float32 data accumulated in float64 (NumPy: float64 throughout);
// outputs are float32.
constexpr double kStatRtol = 1e-6, kStatAtol = 1e-8;
constexpr double kOutRtol = 1e-4, kOutAtol = 2e-5;
// Whitened outputs come from a float32 GEMM with a matrix that scales by 1/sqrt(λ + ε), up to
// ~30 here: its float32 rounding, which depends on the order OpenBLAS's kernel accumulates in
// (AVX2 and AVX-512 kernels differ), is amplified as much. Measured: 3.7e-5 with AVX-512.
constexpr double kWhitenedOutAtol = 1e-4;

std::vector<PreprocessStep> steps_of(const nlohmann::json& args) {
  std::vector<PreprocessStep> steps;
  for (const auto& s : args.at("steps"))
    steps.push_back({.kind = s.at("kind").get<std::string>(),
                     .mode = s.value("mode", std::string("per_feature")),
                     .components = s.value("components", int64_t{0}),
                     .epsilon = s.value("epsilon", 1e-5)});
  return steps;
}

Tensor state_tensor(const nn::NamedTensors& state, const std::string& name) {
  for (const auto& [key, value] : state)
    if (key == name) return value;
  return {};
}

// Rows of correlated features with distinct spreads, well conditioned (the random part's norm
// stays below the diagonal's smallest entry, so the covariance's eigenvalues are O(0.1..10)):
// [rows, cols] float32.
Tensor correlated(int64_t rows, int64_t cols, uint64_t seed) {
  manual_seed(seed);
  const Tensor mixing =
      eye(cols) * linspace(2.0, 1.0, cols).unsqueeze(1) + 0.05 * randn({cols, cols});
  return matmul(randn({rows, cols}), mixing) + randn({cols});
}

// The population covariance of rows [N, D] in float64.
Tensor covariance_of(const Tensor& rows) {
  const Tensor x = rows.to(DType::f64);
  const Tensor centred = x - mean(x, 0, true);
  return matmul(centred.t(), centred) / static_cast<double>(x.size(0));
}

Tensor images(int64_t n, uint64_t seed) { return correlated(n, 18, seed).reshape({n, 2, 3, 3}); }

}  // namespace

class PreprocessFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(PreprocessFixture, MatchesNumPy) {
  const FixtureLoad& load = load_fixture(kFixtureFile);
  ASSERT_TRUE(load.ok()) << load.error;
  const FixtureCase* c = find_fixture_case(load.file, GetParam());
  ASSERT_NE(c, nullptr);
  ASSERT_EQ(c->inputs.size(), 2u);
  const auto stats = c->args.at("stats").get<std::vector<std::string>>();
  ASSERT_EQ(c->outputs.size(), stats.size() + 2);

  Preprocessing pre(steps_of(c->args));
  pre.fit(c->inputs[0].to(DType::f32));
  const nn::NamedTensors state = pre.state();
  for (size_t i = 0; i < stats.size(); ++i) {
    SCOPED_TRACE("statistic " + stats[i]);
    const Tensor actual = state_tensor(state, "preprocess." + stats[i]);
    ASSERT_TRUE(actual.defined());
    EXPECT_TRUE(fixture_matches(actual, c->outputs[i], kStatRtol, kStatAtol));
  }
  for (size_t split = 0; split < 2; ++split) {
    SCOPED_TRACE(split == 0 ? "train output" : "other split's output");
    const Tensor out = pre.apply(c->inputs[split].to(DType::f32));
    EXPECT_EQ(out.dtype(), DType::f32);
    const bool whitened = GetParam().find("whiten") != std::string::npos;
    EXPECT_TRUE(fixture_matches(out.to(DType::f64), c->outputs[stats.size() + split], kOutRtol,
                                whitened ? kWhitenedOutAtol : kOutAtol));
  }
}

INSTANTIATE_TEST_SUITE_P(PreprocessFixtures, PreprocessFixture,
                         ::testing::ValuesIn(fixture_case_names(kFixtureFile)),
                         [](const auto& info) { return fixture_test_name(info.param); });

TEST(Preprocess, FitsOnTrainOnlyAndAppliesTrainStatistics) {
  Preprocessing pre({{.kind = "standardize"}});
  pre.fit(from_vector<float>({0, 10, 2, 30}, {2, 2}));  // mean [1, 20], std [1, 10]
  const Tensor test = from_vector<float>({5, 20, -1, 0}, {2, 2});
  EXPECT_TRUE(equal(pre.apply(test), from_vector<float>({4, 0, -2, -2}, {2, 2})));
  EXPECT_TRUE(equal(state_tensor(pre.state(), "preprocess.0.mean"), from_vector<double>({1, 20})));
}

TEST(Preprocess, ConstantFeaturesAreNotBlownUp) {
  // Column 0 is constant: its std and half-range are 0, read as 1, so it maps to 0.
  const Tensor x = from_vector<float>({3, 1, 3, 2, 3, 5}, {3, 2});
  for (const char* kind : {"standardize", "scale"}) {
    SCOPED_TRACE(kind);
    Preprocessing pre({{.kind = kind}});
    pre.fit(x);
    const Tensor y = pre.apply(x);
    EXPECT_TRUE(equal(y.slice(1, 0, 1).contiguous(), zeros({3, 1})));
  }
  Preprocessing scale({{.kind = "scale"}});
  scale.fit(x);  // column 1: min 1, max 5 -> -1, -0.5, 1
  EXPECT_TRUE(all_close(scale.apply(x).slice(1, 1, 2).contiguous(),
                        from_vector<float>({-1, -0.5, 1}, {3, 1})));
}

TEST(Preprocess, NoStepsIsTheIdentity) {
  Preprocessing none;
  const Tensor x = randn({4, 3});
  EXPECT_TRUE(none.fitted());
  EXPECT_TRUE(equal(none.apply(x), x));
  EXPECT_TRUE(none.state().empty());
  EXPECT_TRUE(none.steps().empty());
}

TEST(Preprocess, OutputSampleShape) {
  Preprocessing pca(
      {{.kind = "standardize", .mode = "per_channel"}, {.kind = "pca", .components = 3}});
  EXPECT_EQ(pca.output_sample_shape({2, 3, 3}), (Shape{3}));
  Preprocessing zca({{.kind = "zca_whiten"}});
  EXPECT_EQ(zca.output_sample_shape({2, 3, 3}), (Shape{2, 3, 3}));
  Preprocessing all({{.kind = "pca_whiten"}});
  EXPECT_EQ(all.output_sample_shape({1, 4, 4}), (Shape{16}));
  pca.fit(images(30, 1));
  EXPECT_EQ(pca.apply(images(5, 2)).shape(), (Shape{5, 3}));
}

TEST(Preprocess, StateRoundTripGivesIdenticalOutputs) {
  const std::vector<std::vector<PreprocessStep>> configs = {
      {{.kind = "standardize", .mode = "per_channel"}, {.kind = "zca_whiten"}},
      {{.kind = "scale", .mode = "global"}, {.kind = "pca_whiten", .components = 3}},
      {{.kind = "center"}, {.kind = "standardize", .mode = "global"}}};
  const Tensor train = images(40, 3), test = images(7, 4);
  for (const auto& steps : configs) {
    SCOPED_TRACE(steps.front().kind + " then " + steps.back().kind);
    Preprocessing fitted(steps);
    fitted.fit(train);
    Preprocessing restored(steps);
    EXPECT_FALSE(restored.fitted());
    restored.load_state(fitted.state());
    EXPECT_TRUE(restored.fitted());
    EXPECT_TRUE(equal(restored.apply(test), fitted.apply(test)));
    for (const auto& [name, value] : fitted.state())
      EXPECT_TRUE(equal(state_tensor(restored.state(), name), value)) << name;
  }
}

TEST(Preprocess, LoadStateIgnoresOtherNamesAndChecksItsOwn) {
  Preprocessing pre({{.kind = "standardize"}});
  pre.fit(randn({10, 4}));
  nn::NamedTensors state = pre.state();
  state.emplace_back("0.weight", randn({2, 2}));  // a model saved in the same file
  Preprocessing other({{.kind = "standardize"}});
  other.load_state(state);
  EXPECT_TRUE(other.fitted());

  nn::NamedTensors missing = {state[0], state[1]};  // sample_shape and mean, no std
  EXPECT_TRUE(
      throws_error_containing([&] { Preprocessing({{.kind = "standardize"}}).load_state(missing); },
                              {"missing tensor 'preprocess.0.std'"}));
  nn::NamedTensors misshaped = state;
  misshaped[2].second = zeros({5}, {.dtype = DType::f64});
  EXPECT_TRUE(throws_error_containing(
      [&] { Preprocessing({{.kind = "standardize"}}).load_state(misshaped); },
      {"'preprocess.0.std'", "[5]", "[4]"}));
  EXPECT_TRUE(
      throws_error_containing([&] { Preprocessing({{.kind = "center"}}).load_state(state); },
                              {"unexpected tensor 'preprocess.0.std'"}));
  EXPECT_TRUE(throws_error_containing([&] { Preprocessing({{.kind = "center"}}).load_state({}); },
                                      {"preprocess.sample_shape"}));
}

TEST(Preprocess, PcaWhiteningGivesIdentityCovariance) {
  const Tensor train = correlated(300, 5, 5);
  for (double epsilon : {0.0, 1e-5}) {
    SCOPED_TRACE(epsilon);
    Preprocessing pre({{.kind = "pca_whiten", .epsilon = epsilon}});
    pre.fit(train);
    // Eigenvalues are O(0.1..10) here, so epsilon 1e-5 moves the variances by < 1e-3.
    EXPECT_TRUE(all_close(covariance_of(pre.apply(train)), eye(5, {.dtype = DType::f64}), 0, 1e-3));
  }
}

TEST(Preprocess, ZcaWhiteningIsSymmetricAndGivesIdentityCovariance) {
  const Tensor train = images(200, 6);
  Preprocessing pre({{.kind = "zca_whiten", .epsilon = 1e-5}});
  pre.fit(train);
  const Tensor white = pre.apply(train);
  EXPECT_EQ(white.shape(), train.shape());
  EXPECT_TRUE(
      all_close(covariance_of(white.reshape({200, 18})), eye(18, {.dtype = DType::f64}), 0, 1e-3));
  // Rows mean + e_j map to row j of W (x -> (x - mean) W); W must equal its transpose.
  const Tensor mean_row = state_tensor(pre.state(), "preprocess.0.mean").to(DType::f32);
  const Tensor probes = (eye(18) + mean_row.unsqueeze(0)).reshape({18, 2, 3, 3});
  const Tensor w = pre.apply(probes).reshape({18, 18});
  EXPECT_TRUE(all_close(w, w.t().contiguous(), 1e-4, 1e-4));
}

TEST(Preprocess, FashionMnistSizedPcaWhitening) {
  // 784 features through LAPACK, covariance blocks (> 512 rows), and apply blocks (> 1024 rows)
  // on the training rows repeated (so the covariance of the output stays the identity).
  manual_seed(7);
  const Tensor train = matmul(randn({600, 40}), randn({40, 784})) + 0.1 * randn({600, 784});
  Preprocessing pre({{.kind = "pca_whiten", .components = 30}});
  pre.fit(train);
  const Tensor white = pre.apply(cat({train, train}));
  EXPECT_EQ(white.shape(), (Shape{1200, 30}));
  EXPECT_TRUE(all_close(covariance_of(white), eye(30, {.dtype = DType::f64}), 0, 1e-3));
  EXPECT_TRUE(all_close(white.slice(0, 0, 600), white.slice(0, 600, 1200), 1e-5, 1e-5));
  const Tensor values = state_tensor(pre.state(), "preprocess.0.eigenvalues");
  const std::vector<double> v = values.to_vector<double>();
  EXPECT_TRUE(std::is_sorted(v.rbegin(), v.rend()));
}

TEST(Preprocess, Errors) {
  EXPECT_TRUE(
      throws_error_containing([] { Preprocessing({{.kind = "normalize"}}); },
                              {"step 0", "\"normalize\"", "\"center\"", "\"standardize\"",
                               "\"scale\"", "\"pca\"", "\"pca_whiten\"", "\"zca_whiten\""}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        Preprocessing({{.kind = "center"}, {.kind = "center", .mode = "per_pixel"}});
      },
      {"step 1", "\"per_pixel\"", "\"per_feature\"", "\"global\"", "\"per_channel\""}));
  EXPECT_TRUE(throws_error_containing([] { Preprocessing({{.kind = "pca", .mode = "global"}}); },
                                      {"pca", "per_feature"}));
  EXPECT_TRUE(throws_error_containing([] { Preprocessing({{.kind = "pca", .components = -1}}); },
                                      {"components = -1"}));
  EXPECT_TRUE(throws_error_containing(
      [] { Preprocessing({{.kind = "zca_whiten", .epsilon = -1}}); }, {"epsilon = -1"}));

  Preprocessing pre({{.kind = "standardize", .mode = "per_channel"}});
  EXPECT_TRUE(throws_error_containing([&] { pre.apply(images(2, 1)); }, {"before fit"}));
  EXPECT_TRUE(throws_error_containing([&] { pre.state(); }, {"before fit"}));
  pre.fit(images(10, 1));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        pre.apply(randn({4, 2, 4, 4}));
      },
      {"[2, 4, 4]", "[2, 3, 3]"}));
  EXPECT_TRUE(throws_error_containing([&] { pre.apply(randn({4, 18})); }, {"[18]", "[2, 3, 3]"}));

  Preprocessing per_channel({{.kind = "center", .mode = "per_channel"}});
  EXPECT_TRUE(throws_error_containing(
      [&] {
        per_channel.fit(randn({10, 6}));
      },
      {"per_channel", "[6]", "per_feature"}));
  EXPECT_FALSE(per_channel.fitted());
  Preprocessing too_many({{.kind = "pca", .components = 7}});
  EXPECT_TRUE(throws_error_containing(
      [&] {
        too_many.fit(randn({10, 6}));
      },
      {"7 components", "6 features"}));
  EXPECT_TRUE(throws_error_containing([&] { too_many.fit(randn({10})); }, {"[10]"}));
}
