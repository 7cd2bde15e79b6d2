// The functional linear, Maxout and RBF layers: their formulas, float64 gradchecks of inputs and parameters
// (Maxout's weights; RBF's centres and log-widths), parameter names, and errors.
#include <cmath>
#include <sstream>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::gradcheck_passes;
using nabla::testing::throws_error_containing;

// F::linear is nn::Linear's forward without the module: x Wᵀ + b on any leading dims.
TEST(Layers, FunctionalLinearMatchesTheModuleAndGradchecks) {
  namespace F = nn::functional;
  manual_seed(39);
  nn::Linear layer(nn::LinearOptions{.in_features = 3, .out_features = 2, .dtype = DType::f64});
  const Tensor x = nabla::testing::randn64({2, 4, 3});
  EXPECT_TRUE(all_close(F::linear(x, layer.weight, layer.bias), layer(x)));
  EXPECT_TRUE(all_close(F::linear(x, layer.weight), matmul(x, layer.weight.t())));
  EXPECT_TRUE(gradcheck_passes(
      [](const std::vector<Tensor>& in) { return F::linear(in[0], in[1], in[2]); },
      {x, nabla::testing::randn64({2, 3}), nabla::testing::randn64({2})}));
  EXPECT_TRUE(throws_error_containing([&] { F::linear(x, layer.weight.t()); },
                                      {"linear", "[2, 4, 3]", "in_features = 2"}));
  EXPECT_TRUE(throws_error_containing([&] { F::linear(x, layer.weight, zeros({3})); },
                                      {"bias of shape [3]", "[out_features] = [2]"}));
}

TEST(Layers, MaxoutTakesTheMaxOfItsPieces) {
  manual_seed(40);
  nn::Maxout layer(3, 2, 4, DType::f64);
  EXPECT_EQ(layer.weight.shape(), (Shape{8, 3}));
  EXPECT_EQ(layer.bias.shape(), (Shape{8}));
  const Tensor x = randn({5, 3}, {.dtype = DType::f64});
  const Tensor z = (matmul(x, layer.weight.t()) + layer.bias).reshape({5, 2, 4});
  EXPECT_TRUE(all_close(layer(x), max(z, 2).first));
  EXPECT_EQ(layer(randn({2, 7, 3}, {.dtype = DType::f64})).shape(), (Shape{2, 7, 2}));
  std::ostringstream repr;
  repr << layer;
  EXPECT_EQ(repr.str(), "Maxout(in_features=3, out_features=2, pieces=4)");
  EXPECT_TRUE(throws_error_containing([&] { layer(zeros({2, 4}, {.dtype = DType::f64})); },
                                      {"Maxout", "[2, 4]", "in_features = 3"}));
  EXPECT_TRUE(throws_error_containing([] { nn::Maxout(3, 2, 0); }, {"Maxout", "pieces (0)"}));
}

TEST(Layers, MaxoutGradcheckInputAndWeights) {
  manual_seed(41);
  nn::Maxout layer(3, 2, 3, DType::f64);
  const Tensor x = nabla::testing::randn64({4, 3});
  // Random weights make ties between pieces (the max's kink) vanishingly unlikely.
  EXPECT_TRUE(gradcheck_passes([&](const std::vector<Tensor>& in) { return layer(in[0]); },
                               {x, layer.weight, layer.bias}));
}

TEST(Layers, MaxoutWithAZeroPieceIsAReLU) {
  nn::Maxout layer(1, 1, 2, DType::f64);
  {
    autograd::NoGradGuard no_grad;
    layer.weight.copy_(nabla::testing::f64({1.0, 0.0}, {2, 1}));
    layer.bias.zero_();
  }
  const Tensor x = linspace(-2, 2, 9, {.dtype = DType::f64}).reshape({9, 1});
  EXPECT_TRUE(nabla::equal(layer(x), relu(x)));
}

TEST(Layers, RbfIsAGaussianOfTheDistanceToEachCentre) {
  manual_seed(42);
  nn::RBF layer(2, 3, DType::f64);
  {
    autograd::NoGradGuard no_grad;
    layer.centres.copy_(nabla::testing::f64({0, 0, 1, 0, 0, 2}, {3, 2}));
    layer.log_sigma.copy_(nabla::testing::f64({0.0, std::log(0.5), std::log(2.0)}, {3}));
  }
  const Tensor y = layer(nabla::testing::f64({1, 1}, {1, 2}));
  // ‖x − c‖² = 2, 1, 2 and σ = 1, 0.5, 2.
  EXPECT_TRUE(all_close(y, nabla::testing::f64({std::exp(-1.0), std::exp(-2.0), std::exp(-0.25)}, {1, 3})));
  EXPECT_EQ(layer.named_parameters()[0].first, "centres");
  EXPECT_EQ(layer.named_parameters()[1].first, "log_sigma");
  EXPECT_TRUE(throws_error_containing([&] { layer(zeros({2, 3}, {.dtype = DType::f64})); },
                                      {"RBF", "[2, 3]", "in_features = 2"}));
}

TEST(Layers, RbfGradcheckCentresAndWidths) {
  manual_seed(43);
  nn::RBF layer(3, 4, DType::f64);
  {
    autograd::NoGradGuard no_grad;
    layer.log_sigma.copy_(nabla::testing::f64({0.3, -0.2, 0.5, 0.1}, {4}));
  }
  const Tensor x = nabla::testing::randn64({5, 3});
  EXPECT_TRUE(gradcheck_passes([&](const std::vector<Tensor>& in) { return layer(in[0]); },
                               {x, layer.centres, layer.log_sigma}));
}
