// Activations: float64 gradchecks of every function (inputs away from kinks), PReLU's weight
// gradient shared and per channel, the modules (names, reprs, parameters, train/eval), the
// single-kernel activations on strided f32 inputs, and the errors. Forward values against
// PyTorch are in nn_fixtures_test.cpp.
#include <cmath>
#include <sstream>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::away_from_zero64;
using nabla::testing::gradcheck_passes;
using nabla::testing::throws_error_containing;
namespace F = nabla::nn::functional;

namespace {
using Fn = std::function<Tensor(const Tensor&)>;

const std::vector<std::pair<std::string, Fn>>& activations() {
  static const std::vector<std::pair<std::string, Fn>> list = {
      {"sigmoid", F::sigmoid},
      {"tanh", [](const Tensor& x) { return F::tanh(x); }},  // tanh and lecun_tanh are overloaded
      {"lecun_tanh", [](const Tensor& x) { return F::lecun_tanh(x); }},
      {"relu", F::relu},
      {"leaky_relu", [](const Tensor& x) { return F::leaky_relu(x, 0.1); }},
      {"elu", [](const Tensor& x) { return F::elu(x, 0.7); }},
      {"softplus", [](const Tensor& x) { return F::softplus(x); }},
      {"softplus_beta_threshold", [](const Tensor& x) { return F::softplus(x, 2.0, 1.5); }},
      {"gelu", [](const Tensor& x) { return F::gelu(x); }},
      {"gelu_tanh", [](const Tensor& x) { return F::gelu(x, "tanh"); }},
      {"silu", F::silu},
      {"erf", F::erf},
      {"softmax", [](const Tensor& x) { return F::softmax(x, 1); }},
      {"log_softmax", [](const Tensor& x) { return F::log_softmax(x, 0); }},
      {"noisy_relu_eval", [](const Tensor& x) { return F::noisy_relu(x, 0.5, false); }},
  };
  return list;
}

std::string repr(const nn::Module& m) {
  std::ostringstream out;
  out << m;
  return out.str();
}
}  // namespace

TEST(Activation, EveryFunctionPassesGradcheck) {
  manual_seed(10);
  // |x| in [0.5, 1.5] keeps relu-like kinks out of the finite-difference stencil; the scaled
  // copy reaches softplus's linear branch and the tails of gelu and elu.
  const Tensor x = away_from_zero64({3, 4});
  const Tensor wide = (away_from_zero64({3, 4}, false) * 4.0).detach().requires_grad_(true);
  for (const auto& [name, fn] : activations()) {
    SCOPED_TRACE(name);
    // An init-capture: clang before 16 cannot capture a structured binding.
    const auto apply = [&f = fn](const std::vector<Tensor>& in) { return f(in[0]); };
    EXPECT_TRUE(gradcheck_passes(apply, {x}));
    EXPECT_TRUE(gradcheck_passes(apply, {wide}));
  }
}

TEST(Activation, KernelsMatchTheirFormulasOnStridedFloat32) {
  manual_seed(11);
  const Tensor x64 = randn({4, 6}, {.dtype = DType::f64}) * 3.0;
  const Tensor x = nabla::testing::strided_leaf(x64.to(DType::f32), false);
  const Tensor xd = x.to(DType::f64);
  const Tensor zero = scalar_tensor(0.0, {.dtype = DType::f64});
  const Tensor positive = gt(xd, zero);
  const Tensor sig = sigmoid(xd);
  const Tensor expected_softplus = where(gt(xd * 2.0, full({}, 3.0, {.dtype = DType::f64})), xd,
                                         log(exp(xd * 2.0) + 1.0) / 2.0);
  const std::vector<std::pair<Tensor, Tensor>> pairs = {
      {F::leaky_relu(x, 0.2), where(positive, xd, xd * 0.2)},
      {F::elu(x, 1.5), where(positive, xd, (exp(xd) - 1.0) * 1.5)},
      {F::softplus(x, 2.0, 3.0), expected_softplus},
      {F::silu(x), xd * sig},
      // gelu(x) ≈ x·σ(1.702x) is too rough; compare the tanh form with its own formula.
      {F::gelu(x, "tanh"), xd * 0.5 * (tanh((xd + xd * xd * xd * 0.044715) * std::sqrt(2.0 / M_PI)) + 1.0)},
      {F::lecun_tanh(x), tanh(xd * (2.0 / 3.0)) * 1.7159},
  };
  for (const auto& [got, expected] : pairs) {
    EXPECT_EQ(got.dtype(), DType::f32);
    EXPECT_TRUE(all_close(got.to(DType::f64), expected, 1e-5, 1e-5));
  }
}

TEST(Activation, GeluExactMatchesErfDefinition) {
  const Tensor x = linspace(-4.0, 4.0, 17, {.dtype = DType::f64});
  EXPECT_TRUE(all_close(F::gelu(x), x * 0.5 * (F::erf(x / std::sqrt(2.0)) + 1.0), 1e-14, 1e-15));
  EXPECT_NEAR(F::erf(scalar_tensor(1.0, {.dtype = DType::f64})).item(), std::erf(1.0), 1e-16);
}

TEST(Activation, LeCunTanhMapsPlusMinusOneToItself) {
  // 1.7159 tanh(2/3) = 1.0000: the constants were chosen for that (LeCun 1998).
  const Tensor y = F::lecun_tanh(nabla::testing::f64({-1.0, 1.0}, {2}));
  EXPECT_NEAR(y.to_vector<double>()[0], -1.0, 1e-4);
  EXPECT_NEAR(y.to_vector<double>()[1], 1.0, 1e-4);
}

TEST(Activation, PReLUWeightGradcheckSharedAndPerChannel) {
  manual_seed(12);
  const Tensor x = away_from_zero64({2, 3, 4});
  for (const Tensor& w : {nabla::testing::f64({0.25}, {1}, true),
                          nabla::testing::f64({0.1, -0.4, 0.7}, {3}, true)}) {
    SCOPED_TRACE(w.numel());
    EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return F::prelu(in[0], in[1]); },
                                 {x, w}));
  }
  const Tensor flat = away_from_zero64({5});  // no channel dim: one shared slope
  EXPECT_TRUE(gradcheck_passes([](const std::vector<Tensor>& in) { return F::prelu(in[0], in[1]); },
                               {flat, nabla::testing::f64({0.3}, {1}, true)}));
}

TEST(Activation, PReLUModuleHasTorchsParameterAndRepr) {
  nn::PReLU shared;
  EXPECT_EQ(shared.weight.shape(), (Shape{1}));
  EXPECT_DOUBLE_EQ(shared.weight.item(), 0.25);
  nn::PReLU per_channel(3, 0.1, DType::f64);
  ASSERT_EQ(per_channel.named_parameters().size(), 1u);
  EXPECT_EQ(per_channel.named_parameters()[0].first, "weight");
  EXPECT_EQ(repr(per_channel), "PReLU(num_parameters=3)");
  const Tensor x = nabla::testing::f64({-1, 2, -3, 4, -5, 6}, {2, 3});
  const Tensor y = per_channel(x);
  EXPECT_TRUE(all_close(y, nabla::testing::f64({-0.1, 2, -0.3, 4, -0.5, 6}, {2, 3})));
  y.sum().backward();
  // Each channel's slope collects the negative inputs of its column.
  EXPECT_TRUE(all_close(per_channel.weight.grad(), nabla::testing::f64({-1, -5, -3}, {3})));
  EXPECT_TRUE(throws_error_containing([&] { per_channel(zeros({2, 4}, {.dtype = DType::f64})); },
                                      {"prelu", "[3]", "4", "dim 1"}));
}

TEST(Activation, ModulesUseTorchsNamesDefaultsAndReprs) {
  EXPECT_EQ(repr(nn::LeakyReLU()), "LeakyReLU(negative_slope=0.01)");
  EXPECT_EQ(repr(nn::ELU()), "ELU(alpha=1.0)");  // torch prints the float default as 1.0
  EXPECT_EQ(repr(nn::Softplus()), "Softplus(beta=1, threshold=20)");
  EXPECT_EQ(repr(nn::GELU()), "GELU(approximate='none')");
  EXPECT_EQ(repr(nn::Softmax(1)), "Softmax(dim=1)");
  EXPECT_EQ(repr(nn::LogSoftmax(-1)), "LogSoftmax(dim=-1)");
  EXPECT_EQ(repr(nn::LeCunTanh()), "LeCunTanh()");
  manual_seed(13);
  const Tensor x = randn({3, 5}, {.dtype = DType::f64});
  const std::vector<std::pair<std::shared_ptr<nn::Module>, Tensor>> cases = {
      {std::make_shared<nn::Sigmoid>(), sigmoid(x)},
      {std::make_shared<nn::Tanh>(), tanh(x)},
      {std::make_shared<nn::ReLU>(), relu(x)},
      {std::make_shared<nn::LeakyReLU>(0.3), F::leaky_relu(x, 0.3)},
      {std::make_shared<nn::ELU>(0.5), F::elu(x, 0.5)},
      {std::make_shared<nn::Softplus>(2.0, 4.0), F::softplus(x, 2.0, 4.0)},
      {std::make_shared<nn::GELU>("tanh"), F::gelu(x, "tanh")},
      {std::make_shared<nn::SiLU>(), F::silu(x)},
      {std::make_shared<nn::LeCunTanh>(), F::lecun_tanh(x)},
      {std::make_shared<nn::Softmax>(1), softmax(x, 1)},
      {std::make_shared<nn::LogSoftmax>(0), log_softmax(x, 0)},
  };
  for (const auto& [module, expected] : cases) {
    SCOPED_TRACE(module->type_name());
    EXPECT_TRUE(nabla::equal((*module)(x), expected));
    EXPECT_TRUE(module->named_parameters().empty());
  }
}

TEST(Activation, NoisyReLUAddsNoiseOnlyWhenTraining) {
  manual_seed(14);
  nn::NoisyReLU layer(0.5);
  EXPECT_EQ(repr(layer), "NoisyReLU(stddev=0.5)");
  const Tensor x = randn({2000}, {.dtype = DType::f64});
  const Tensor noisy = layer(x);
  EXPECT_FALSE(nabla::equal(noisy, relu(x)));
  EXPECT_GE(min(noisy).item(), 0.0);
  // Where x is far above 0 the ReLU is the identity, so y - x is the noise itself: N(0, 0.25).
  const Tensor far = gt(x, scalar_tensor(2.5, {.dtype = DType::f64}));
  const Tensor noise = where(far, noisy - x, scalar_tensor(0.0, {.dtype = DType::f64}));
  const double count = sum(far.to(DType::f64)).item();
  ASSERT_GT(count, 5.0);
  EXPECT_LT(std::abs(sum(noise).item() / count), 0.5 * 4.0 / std::sqrt(count));
  layer.eval();
  EXPECT_TRUE(nabla::equal(layer(x), relu(x)));
  // Same seed, same noise.
  manual_seed(15);
  layer.train();
  const Tensor a = layer(x);
  manual_seed(15);
  EXPECT_TRUE(nabla::equal(layer(x), a));
}

TEST(Activation, SoftplusLinearBranchAboveThreshold) {
  const Tensor x = nabla::testing::f64({19.0, 21.0, 100.0, -100.0}, {4});
  const std::vector<double> y = F::softplus(x).to_vector<double>();
  EXPECT_DOUBLE_EQ(y[0], std::log1p(std::exp(19.0)));
  EXPECT_EQ(y[1], 21.0);  // torch returns x itself above beta·x > threshold
  EXPECT_EQ(y[2], 100.0);
  EXPECT_GT(y[3], 0.0);  // no underflow to a negative or NaN
}

TEST(Activation, BadArgumentsAreErrors) {
  const Tensor x = zeros({2, 3});
  EXPECT_TRUE(throws_error_containing([&] { F::gelu(x, "fast"); }, {"gelu", "\"fast\"", "tanh"}));
  EXPECT_TRUE(throws_error_containing([] { nn::GELU("erf"); }, {"GELU", "erf"}));
  EXPECT_TRUE(throws_error_containing([&] { F::softplus(x, 0.0); }, {"softplus", "beta"}));
  EXPECT_TRUE(throws_error_containing([] { nn::NoisyReLU(-1.0); }, {"NoisyReLU", "-1"}));
  EXPECT_TRUE(throws_error_containing([] { nn::PReLU(0); }, {"PReLU", "num_parameters"}));
  EXPECT_TRUE(throws_error_containing([] { F::elu(arange(3, {.dtype = DType::i64})); },
                                      {"elu", "int64"}));
}
