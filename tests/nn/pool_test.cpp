// Pooling modules: defaults (stride = kernel_size), torch's reprs, forward = the functional op.
#include "nabla/nn/pool.hpp"

#include "support/harness.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;

TEST(PoolModule, ReprsMatchTorch) {
  EXPECT_EQ(module_repr(nn::MaxPool2d(2)),
            "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)");
  EXPECT_EQ(module_repr(nn::MaxPool2d({.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true})),
            "MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True)");
  EXPECT_EQ(module_repr(nn::AvgPool2d(F::Size2{2, 3})),
            "AvgPool2d(kernel_size=(2, 3), stride=(2, 3), padding=0)");
  EXPECT_EQ(module_repr(nn::AdaptiveAvgPool2d(1)), "AdaptiveAvgPool2d(output_size=(1, 1))");
}

TEST(PoolModule, ForwardIsTheFunctionalOp) {
  manual_seed(2);
  const Tensor x = randn({2, 3, 7, 6});
  EXPECT_TRUE(equal(nn::MaxPool2d(2)(x), F::max_pool2d(x, 2, F::Size2{2, 2})));
  const F::MaxPool2dOptions max{.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true};
  EXPECT_TRUE(equal(nn::MaxPool2d(max)(x), F::max_pool2d(x, max)));
  const F::AvgPool2dOptions avg{
      .kernel_size = 3, .stride = F::Size2{1, 2}, .padding = 1, .count_include_pad = false};
  EXPECT_TRUE(equal(nn::AvgPool2d(avg)(x), F::avg_pool2d(x, avg)));
  EXPECT_TRUE(equal(nn::AvgPool2d(3, 2, 1)(x), F::avg_pool2d(x, {.kernel_size = 3, .stride = 2, .padding = 1})));
  EXPECT_TRUE(equal(nn::AdaptiveAvgPool2d(F::Size2{1, 1})(x), F::adaptive_avg_pool2d(x, 1)));
  EXPECT_EQ(nn::AdaptiveAvgPool2d(F::Size2{2, 3})(x).shape(), (Shape{2, 3, 2, 3}));
  EXPECT_TRUE(nn::MaxPool2d(2).named_parameters().empty());
}

}  // namespace
}  // namespace nabla::testing
