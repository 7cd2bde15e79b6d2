// tanh(x) + β·x and the rational tanh: float64 gradchecks of tanh_linear with respect to x and β
// (a number, one shared tensor value, one per channel), the TanhLinear and Tanh modules (names,
// reprs, parameters), the rational kernel's error on a float32 sample against the bound
// docs/activations.md states (bench/tanh_error.cpp measures every float32), its backward (1 − y² of
// the approximated y), and the errors. Forward values against PyTorch: tanh_linear_fixtures_test.
#include <cmath>
#include <cstring>
#include <limits>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::away_from_zero64;
using nabla::testing::f64;
using nabla::testing::gradcheck_passes;
using nabla::testing::module_repr;
using nabla::testing::randn64;
using nabla::testing::throws_error_containing;
namespace F = nabla::nn::functional;

namespace {
using Inputs = std::vector<Tensor>;

// The bound docs/activations.md states for approximate = "rational" on float32 (measured over all
// 2^32 inputs by bench/tanh_error.cpp: 3.02e-7 and 5.06 ulp with the release preset's FMA;
// 3.6e-7 and 6.0 ulp on [0.5, 10] without FMA, so the clang and sanitizer builds have room).
constexpr double kRationalMaxAbs = 4e-7;
constexpr double kRationalMaxUlp = 7.0;

double ulp_of(double r) {
  r = std::fabs(r);
  if (r < 0x1p-126) return 0x1p-149;  // subnormal spacing
  int e = 0;
  std::frexp(r, &e);
  return std::ldexp(1.0, e - 24);
}
}  // namespace

TEST(TanhLinear, GradcheckInXForNumberBeta) {
  manual_seed(40);
  const Tensor x = randn64({3, 4});
  const Tensor wide = (randn64({3, 4}, false) * 5.0).detach().requires_grad_(true);  // saturated
  for (double beta : {0.1, 0.0, -0.3, 2.0}) {
    SCOPED_TRACE(beta);
    const auto fn = [beta](const Inputs& in) { return F::tanh_linear(in[0], beta); };
    EXPECT_TRUE(gradcheck_passes(fn, {x}));
    EXPECT_TRUE(gradcheck_passes(fn, {wide}));
  }
}

TEST(TanhLinear, GradcheckInXAndTensorBetaSharedAndPerChannel) {
  manual_seed(41);
  const auto fn = [](const Inputs& in) { return F::tanh_linear(in[0], in[1]); };
  const Tensor x = (randn64({2, 3, 4}, false) * 2.0).detach().requires_grad_(true);
  EXPECT_TRUE(gradcheck_passes(fn, {x, f64({0.25}, {1}, true)}));              // shared, [1]
  EXPECT_TRUE(gradcheck_passes(fn, {x, f64({0.1}, {}, true)}));                // shared, 0-D
  EXPECT_TRUE(gradcheck_passes(fn, {x, f64({0.1, -0.4, 0.7}, {3}, true)}));    // per channel
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({4, 3}), f64({0.2, 0.0, -1.0}, {3}, true)}));
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 2, 3, 3}), f64({0.05, 0.5}, {2}, true)}));
  EXPECT_TRUE(gradcheck_passes(fn, {away_from_zero64({5}), f64({0.3}, {1}, true)}));  // 1-D x
}

TEST(TanhLinear, KeepsASlopeWhereTanhIsFlat) {
  const Tensor x = f64({-20.0, 20.0}, {2}, true);
  const Tensor y = F::tanh_linear(x, 0.1);
  EXPECT_TRUE(all_close(y, f64({-1.0 - 2.0, 1.0 + 2.0}, {2})));
  y.sum().backward();
  EXPECT_TRUE(all_close(x.grad(), f64({0.1, 0.1}, {2}), 1e-12, 1e-12));
}

TEST(TanhLinear, ModuleConstantAndLearnableBeta) {
  nn::TanhLinear constant;
  EXPECT_EQ(module_repr(constant), "TanhLinear(beta=0.1, learnable=False)");
  EXPECT_TRUE(constant.named_parameters().empty());
  const Tensor x = f64({-1, 2, -3, 4, -5, 6}, {2, 3});
  EXPECT_TRUE(all_close(constant(x), F::tanh_linear(x, 0.1)));

  nn::TanhLinear learned({.beta = 0.2, .learnable = true, .num_parameters = 3, .dtype = DType::f64});
  EXPECT_EQ(module_repr(learned), "TanhLinear(beta=0.2, learnable=True, num_parameters=3)");
  ASSERT_EQ(learned.named_parameters().size(), 1u);
  EXPECT_EQ(learned.named_parameters()[0].first, "beta");
  EXPECT_EQ(learned.beta.shape(), (Shape{3}));
  const Tensor y = learned(x);
  EXPECT_TRUE(all_close(y, F::tanh_linear(x, 0.2)));
  y.sum().backward();
  // dβ_c = Σ over the batch of x in channel c.
  EXPECT_TRUE(all_close(learned.beta.grad(), f64({3, -3, 3}, {3})));

  nn::TanhLinear rational({.approximate = "rational"});
  EXPECT_EQ(module_repr(rational), "TanhLinear(beta=0.1, learnable=False, approximate='rational')");
}

TEST(TanhLinear, TanhModulesTakeTheApproximation) {
  EXPECT_EQ(module_repr(nn::Tanh()), "Tanh()");
  EXPECT_EQ(module_repr(nn::Tanh("rational")), "Tanh(approximate='rational')");
  EXPECT_EQ(module_repr(nn::LeCunTanh("rational")), "LeCunTanh(approximate='rational')");
  const Tensor x = randn({4, 5});
  nn::Tanh fast("rational");
  EXPECT_TRUE(nabla::equal(fast(x), F::tanh(x, "rational")));
  EXPECT_TRUE(all_close(fast(x), tanh(x), 0.0, kRationalMaxAbs));
  nn::LeCunTanh lecun("rational");
  EXPECT_TRUE(all_close(lecun(x), F::lecun_tanh(x), 0.0, 2.0 * kRationalMaxAbs));
}

// Every float32 would take minutes (bench/tanh_error.cpp); a fixed sample covers each binade of
// [2^-30, 16], both signs, the clamp's neighbourhood and the special values.
TEST(TanhLinear, RationalTanhWithinItsStatedBoundOnASample) {
  std::vector<float> xs;
  for (uint32_t bits = 0x30800000u; bits < 0x41800000u; bits += 997u) {  // 2^-30 .. 16
    float v = 0;
    std::memcpy(&v, &bits, sizeof v);
    xs.push_back(v);
    xs.push_back(-v);
  }
  for (float v : {0.0f, -0.0f, 9.0f, 9.01f, 9.0199f, 9.02f, 9.03f, 1e-40f, -1e-40f, 3e38f})
    xs.push_back(v);
  const Tensor x = from_vector(xs, {static_cast<int64_t>(xs.size())});
  const std::vector<float> y = F::tanh(x, "rational").to_vector<float>();
  double worst_abs = 0.0, worst_ulp = 0.0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const double exact = std::tanh(static_cast<double>(xs[i]));
    const double err = std::fabs(static_cast<double>(y[i]) - exact);
    worst_abs = std::max(worst_abs, err);
    worst_ulp = std::max(worst_ulp, err / ulp_of(exact));
    ASSERT_LE(std::fabs(y[i]), 1.0f) << xs[i];
  }
  EXPECT_LE(worst_abs, kRationalMaxAbs);
  EXPECT_LE(worst_ulp, kRationalMaxUlp);
  const float inf = std::numeric_limits<float>::infinity();
  const Tensor special = from_vector(std::vector<float>{inf, -inf, std::nanf(""), 1e-40f, -0.0f}, {5});
  const std::vector<float> s = F::tanh(special, "rational").to_vector<float>();
  EXPECT_EQ(s[0], 1.0f);
  EXPECT_EQ(s[1], -1.0f);
  EXPECT_TRUE(std::isnan(s[2]));
  EXPECT_EQ(s[3], 1e-40f);  // tiny inputs come back exactly, subnormals too
  EXPECT_TRUE(std::signbit(s[4]));
}

TEST(TanhLinear, RationalTanhBackwardIsOneMinusYSquaredAndStridedMatches) {
  manual_seed(42);
  const Tensor x = randn({6, 8}).requires_grad_(true);
  const Tensor y = F::tanh(x, "rational");
  y.sum().backward();
  const Tensor yd = y.detach();
  EXPECT_TRUE(all_close(x.grad(), 1.0 - yd * yd, 1e-6, 1e-7));
  // A transposed (non-unit-stride) input takes the kernel's strided loop: same values.
  const Tensor xt = x.detach().transpose(0, 1);
  EXPECT_TRUE(nabla::equal(F::tanh(xt, "rational"), F::tanh(xt.contiguous(), "rational")));
  // float64 evaluates the same ratio: within the approximation's own error of tanh.
  const Tensor x64 = randn64({50}, false) * 4.0;
  EXPECT_TRUE(all_close(F::tanh(x64, "rational"), tanh(x64), 0.0, 5e-8));
  EXPECT_TRUE(all_close(F::tanh_linear(x64, 0.3, "rational"), tanh(x64) + x64 * 0.3, 0.0, 5e-8));
}

TEST(TanhLinear, BadArgumentsAreErrors) {
  const Tensor x = zeros({2, 3});
  const double nan = std::nan("");
  EXPECT_TRUE(throws_error_containing([&] { F::tanh(x, "fast"); }, {"tanh", "\"fast\"", "rational"}));
  EXPECT_TRUE(throws_error_containing([&] { F::tanh_linear(x, nan); }, {"tanh_linear", "beta", "finite"}));
  EXPECT_TRUE(throws_error_containing([&] { F::tanh_linear(x, INFINITY); }, {"tanh_linear", "beta"}));
  EXPECT_TRUE(throws_error_containing([&] { F::tanh_linear(x, 0.1, "pade"); }, {"tanh_linear", "pade"}));
  EXPECT_TRUE(throws_error_containing([&] { F::tanh_linear(x, zeros({4})); },
                                      {"tanh_linear", "beta", "[4]", "dim 1"}));
  EXPECT_TRUE(throws_error_containing([] { nn::Tanh("exact"); }, {"Tanh", "exact", "none"}));
  EXPECT_TRUE(throws_error_containing([&] { nn::TanhLinear({.beta = nan}); },
                                      {"TanhLinear", "beta", "finite"}));
  EXPECT_TRUE(throws_error_containing([] { nn::TanhLinear({.num_parameters = 3}); },
                                      {"TanhLinear", "learnable"}));
  EXPECT_TRUE(throws_error_containing([] { nn::TanhLinear({.learnable = true, .num_parameters = 0}); },
                                      {"TanhLinear", "num_parameters"}));
}
