// nn::Conv2d: torch's parameter names, shapes, default init bounds and repr; forward through
// the functional op; gradients through the module.
#include "nabla/nn/conv.hpp"
#include "support/harness.hpp"

namespace nabla::testing {
namespace {

TEST(Conv2dModule, ParametersNamedAndShapedAsTorch) {
  nn::Conv2d conv(3, 8, 5);
  const auto params = conv.named_parameters();
  ASSERT_EQ(params.size(), 2u);
  EXPECT_EQ(params[0].first, "weight");
  EXPECT_EQ(params[0].second.shape(), (Shape{8, 3, 5, 5}));
  EXPECT_EQ(params[1].first, "bias");
  EXPECT_EQ(params[1].second.shape(), (Shape{8}));
  nn::Conv2d grouped(nn::Conv2dOptions{.in_channels = 4, .out_channels = 6, .kernel_size = {3, 1},
                                       .groups = 2, .bias = false});
  EXPECT_EQ(grouped.named_parameters().size(), 1u);
  EXPECT_EQ(grouped.weight.shape(), (Shape{6, 2, 3, 1}));
}

TEST(Conv2dModule, DefaultInitIsUniformWithinOneOverSqrtFanIn) {
  manual_seed(0);
  nn::Conv2d conv(16, 32, 3);
  const double bound = 1.0 / std::sqrt(16.0 * 9.0);
  const double w_max = max(abs(conv.weight)).item(), b_max = max(abs(conv.bias)).item();
  EXPECT_LE(w_max, bound);
  EXPECT_GT(w_max, 0.95 * bound);  // fills the range: U(−b, b), not something narrower
  EXPECT_LE(b_max, bound);
  EXPECT_GT(b_max, 0.8 * bound);
  // U(−b, b) has standard deviation b/√3.
  EXPECT_NEAR(std_dev(conv.weight).item(), bound / std::sqrt(3.0), 0.05 * bound);
}

TEST(Conv2dModule, ReprMatchesTorch) {
  EXPECT_EQ(module_repr(nn::Conv2d(1, 6, 5)), "Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))");
  EXPECT_EQ(module_repr(nn::Conv2d(4, 8, {3, 1}, 2, {1, 0}, 2, 4, false)),
            "Conv2d(4, 8, kernel_size=(3, 1), stride=(2, 2), padding=(1, 0), dilation=(2, 2), "
            "groups=4, bias=False)");
  EXPECT_EQ(module_repr(nn::Conv2d(3, 3, 3, 1, "same")),
            "Conv2d(3, 3, kernel_size=(3, 3), stride=(1, 1), padding=same)");
}

TEST(Conv2dModule, ForwardIsTheFunctionalOpAndGradientsReachParameters) {
  manual_seed(1);
  nn::Conv2d conv(nn::Conv2dOptions{.in_channels = 2, .out_channels = 3, .kernel_size = 3,
                                    .stride = 2, .padding = 1, .dtype = DType::f64});
  const Tensor x = randn64({2, 2, 5, 5}, false);
  const Tensor y = conv(x);
  EXPECT_EQ(y.shape(), (Shape{2, 3, 3, 3}));
  EXPECT_TRUE(all_close(y, nn::functional::conv2d(x, conv.weight, conv.bias, 2, 1)));
  EXPECT_TRUE(gradcheck_passes(
      [&](const std::vector<Tensor>& in) {
        return nn::functional::conv2d(x, in[0], in[1], 2, 1);
      },
      {conv.weight, conv.bias}));
  y.sum().backward();
  EXPECT_TRUE(conv.weight.grad().defined() && conv.bias.grad().defined());
}

TEST(Conv2dModule, ChannelMismatchNamesShapes) {
  nn::Conv2d conv(3, 4, 3);
  EXPECT_TRUE(throws_error_containing([&] { conv(zeros({1, 1, 8, 8})); },
                                      {"conv2d", "[1, 1, 8, 8]", "1 channels", "expects 3"}));
  EXPECT_TRUE(throws_error_containing([] { nn::Conv2d(3, 4, 3, 1, 0, 1, 2); },
                                      {"Conv2d", "groups = 2", "in_channels (3)"}));
}

}  // namespace
}  // namespace nabla::testing
