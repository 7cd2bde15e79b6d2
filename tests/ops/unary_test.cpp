// Elementwise unary ops (src/ops/unary.cpp): gradients (away from kinks and singularities),
// the derivative conventions at kinks, kernels against <cmath>, and argument errors.
#include <cmath>
#include <numbers>

#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

using UnaryFn = Tensor (*)(const Tensor&);

// The op on a contiguous [3, 4], a strided [3, 4] and a transposed [4, 3] input, and on a 0-d.
void expect_gradcheck_layouts(UnaryFn op, const Tensor& values, const Tensor& scalar) {
  const autograd::GradcheckFn fn = [op](const std::vector<Tensor>& in) { return op(in[0]); };
  EXPECT_TRUE(gradcheck_passes(fn, {values.detach().clone().requires_grad_(true)})) << "contiguous";
  EXPECT_TRUE(gradcheck_passes(fn, {strided_leaf(values)})) << "strided";
  EXPECT_TRUE(gradcheck_passes(fn, {transposed_leaf(values)})) << "transposed";
  EXPECT_TRUE(gradcheck_passes(fn, {scalar})) << "0-d";
}

}  // namespace

TEST(Unary, GradcheckSmoothFunctions) {
  manual_seed(11);
  for (UnaryFn op : {UnaryFn(&neg), UnaryFn(&exp), UnaryFn(&sigmoid), UnaryFn(&tanh)})
    expect_gradcheck_layouts(op, randn64({3, 4}, false), randn64({}));
}

TEST(Unary, GradcheckLogAndSqrtAwayFromZero) {
  manual_seed(12);
  for (UnaryFn op : {UnaryFn(&log), UnaryFn(&sqrt)})
    expect_gradcheck_layouts(op, positive64({3, 4}).detach(), positive64({}));
}

TEST(Unary, GradcheckAbsAndReluAwayFromKink) {
  manual_seed(13);
  // Both signs are present, so both branches of each kink are exercised.
  for (UnaryFn op : {UnaryFn(&abs), UnaryFn(&relu)})
    expect_gradcheck_layouts(op, away_from_zero64({3, 4}, false), away_from_zero64({}));
}

TEST(Unary, GradcheckPowScalarExponent) {
  manual_seed(14);
  auto pow_of = [](double e) {
    return [e](const std::vector<Tensor>& in) { return pow(in[0], e); };
  };
  // Integer exponents are defined for any sign; fractional and negative ones need x > 0.
  EXPECT_TRUE(gradcheck_passes(pow_of(2.0), {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(pow_of(3.0), {randn64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(pow_of(2.5), {positive64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(pow_of(-1.5), {positive64({3, 4})}));
  EXPECT_TRUE(gradcheck_passes(pow_of(0.5), {strided_leaf(positive64({3, 4}))}));
  EXPECT_TRUE(gradcheck_passes(pow_of(3.0), {transposed_leaf(randn64({3, 4}))}));
}

TEST(Unary, GradcheckClampAwayFromBounds) {
  // Fixed values at least 0.1 from either bound, some below, inside and above.
  const std::vector<double> values{-2.0, -0.7, -0.3, 0.2, 0.6, 0.85, 1.4, 2.5, -0.1, 0.0, 1.2, -1.0};
  const Tensor x = f64(values, {3, 4});
  auto clamp_to = [](std::optional<double> lo, std::optional<double> hi) {
    return [lo, hi](const std::vector<Tensor>& in) { return clamp(in[0], lo, hi); };
  };
  for (const Tensor& leaf : {x.clone().requires_grad_(true), strided_leaf(x), transposed_leaf(x)}) {
    EXPECT_TRUE(gradcheck_passes(clamp_to(-0.5, 1.0), {leaf}));
    EXPECT_TRUE(gradcheck_passes(clamp_to(-0.5, std::nullopt), {leaf}));
    EXPECT_TRUE(gradcheck_passes(clamp_to(std::nullopt, 1.0), {leaf}));
  }
}

TEST(Unary, GradcheckComposition) {
  manual_seed(15);
  // A chain as a layer would use it: every op's backward feeds the next one's.
  auto fn = [](const std::vector<Tensor>& in) {
    const Tensor& x = in[0];
    return tanh(sigmoid(x) * exp(neg(x * x))) + log(sqrt(x * x + 1.0));
  };
  EXPECT_TRUE(gradcheck_passes(fn, {randn64({2, 3})}));
}

TEST(Unary, ForwardHandExamples) {
  const Tensor x = f64({-2, -0.5, 0, 0.5, 4}, {5});
  EXPECT_TRUE(all_close(neg(x), f64({2, 0.5, 0, -0.5, -4}, {5})));
  EXPECT_TRUE(all_close(abs(x), f64({2, 0.5, 0, 0.5, 4}, {5})));
  EXPECT_TRUE(all_close(relu(x), f64({0, 0, 0, 0.5, 4}, {5})));
  EXPECT_TRUE(all_close(clamp(x, -1.0, 1.0), f64({-1, -0.5, 0, 0.5, 1}, {5})));
  EXPECT_TRUE(all_close(clamp(x, 0.25, std::nullopt), f64({0.25, 0.25, 0.25, 0.5, 4}, {5})));
  EXPECT_TRUE(all_close(pow(x, 2.0), f64({4, 0.25, 0, 0.25, 16}, {5})));
  EXPECT_TRUE(all_close(pow(x, 0.0), f64({1, 1, 1, 1, 1}, {5})));  // 0^0 = 1, as torch
  EXPECT_TRUE(all_close(sqrt(f64({0, 1, 4, 9}, {4})), f64({0, 1, 2, 3}, {4})));
  EXPECT_TRUE(all_close(exp(f64({0, 1}, {2})), f64({1, std::numbers::e}, {2})));
  EXPECT_TRUE(all_close(log(f64({1, std::numbers::e}, {2})), f64({0, 1}, {2})));
  EXPECT_TRUE(all_close(sigmoid(f64({0}, {1})), f64({0.5}, {1})));
  EXPECT_TRUE(all_close(tanh(f64({0}, {1})), f64({0}, {1})));
}

TEST(Unary, ForwardMatchesCmathInBothDtypes) {
  manual_seed(16);
  // Over 1000 elements (threaded loops) and a strided view (the non-unit-stride path).
  const Tensor x = randn({40, 50}, {.dtype = DType::f64}).slice(1, 0, 50, 2);
  const std::vector<double> v = x.to_vector<double>();
  auto expect = [&](UnaryFn op, double (*ref)(double), const char* name) {
    std::vector<double> want(v.size());
    for (size_t i = 0; i < v.size(); ++i) want[i] = ref(v[i]);
    EXPECT_TRUE(all_close(op(x), f64(want, x.shape()), 1e-14, 0)) << name;
    EXPECT_TRUE(all_close(op(x.to(DType::f32)), f64(want, x.shape()), 1e-5, 1e-6)) << name << " f32";
  };
  expect(&exp, [](double a) { return std::exp(a); }, "exp");
  expect(&tanh, [](double a) { return std::tanh(a); }, "tanh");
  expect(&sigmoid, [](double a) { return 1.0 / (1.0 + std::exp(-a)); }, "sigmoid");
  expect(&abs, [](double a) { return std::abs(a); }, "abs");
  expect(&relu, [](double a) { return a > 0 ? a : 0.0; }, "relu");
  const Tensor p = abs(x) + 0.1;
  const std::vector<double> vp = p.to_vector<double>();
  std::vector<double> logs(vp.size()), roots(vp.size()), powers(vp.size());
  for (size_t i = 0; i < vp.size(); ++i) {
    logs[i] = std::log(vp[i]);
    roots[i] = std::sqrt(vp[i]);
    powers[i] = std::pow(vp[i], 1.7);
  }
  EXPECT_TRUE(all_close(log(p), f64(logs, p.shape()), 1e-14, 1e-15));
  EXPECT_TRUE(all_close(sqrt(p), f64(roots, p.shape()), 1e-15, 0));
  EXPECT_TRUE(all_close(pow(p, 1.7), f64(powers, p.shape()), 1e-14, 0));
}

TEST(Unary, SigmoidSaturatesWithoutNan) {
  const std::vector<double> y = sigmoid(f64({-1000, 1000}, {2})).to_vector<double>();
  EXPECT_EQ(y[0], 0.0);
  EXPECT_EQ(y[1], 1.0);
  const std::vector<float> yf = sigmoid(from_vector(std::vector<float>{-200.f, 200.f})).to_vector<float>();
  EXPECT_EQ(yf[0], 0.f);
  EXPECT_EQ(yf[1], 1.f);
}

TEST(Unary, DerivativesAtKinksFollowTorch) {
  // abs'(0) = 0 and relu'(0) = 0; clamp passes the gradient at its bounds.
  const Tensor x = f64({-1, 0, 1}, {3}, true);
  sum(abs(x)).backward();
  EXPECT_TRUE(all_close(x.grad(), f64({-1, 0, 1}, {3})));
  const Tensor y = f64({-1, 0, 1}, {3}, true);
  sum(relu(y)).backward();
  EXPECT_TRUE(all_close(y.grad(), f64({0, 0, 1}, {3})));
  const Tensor z = f64({-2, -1, 0, 1, 2}, {5}, true);
  sum(clamp(z, -1.0, 1.0)).backward();
  EXPECT_TRUE(all_close(z.grad(), f64({0, 1, 1, 1, 0}, {5})));
  const Tensor w = f64({-2, 3}, {2}, true);
  sum(pow(w, 0.0)).backward();  // x^0 is constant: gradient 0, not 0 * x^-1
  EXPECT_TRUE(all_close(w.grad(), f64({0, 0}, {2})));
}

TEST(Unary, ClampArgumentErrors) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_error_containing([&] { clamp(x, std::nullopt, std::nullopt); },
                                      {"clamp", "min", "max"}));
  EXPECT_TRUE(throws_error_containing([&] { clamp(x, 2.0, 1.0); }, {"clamp", "min 2", "max 1"}));
}

TEST(Unary, IntegerInputHasNoKernel) {
  const Tensor i = zeros({2}, {.dtype = DType::i64});
  EXPECT_TRUE(throws_error_containing([&] { exp(i); }, {"exp", "int64"}));
}
