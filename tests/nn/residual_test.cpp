// Residual and Concat: child names (a torchvision BasicBlock's state dict), forward formulas,
// gradients through both paths, shape errors.
#include "nabla/nn/residual.hpp"

#include <sstream>

#include "nabla/nn/activation.hpp"
#include "nabla/nn/container.hpp"
#include "nabla/nn/conv.hpp"
#include "nabla/nn/norm.hpp"
#include "nabla/nn/pool.hpp"
#include "support/harness.hpp"

namespace nabla::testing {
namespace {

std::shared_ptr<nn::Conv2d> conv(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t pad) {
  return std::make_shared<nn::Conv2d>(in, out, k, stride, pad, 1, 1, false);
}

// torchvision's BasicBlock with a downsampling shortcut.
std::shared_ptr<nn::Residual> basic_block(int64_t in, int64_t out, int64_t stride) {
  auto body = std::make_shared<nn::Sequential>();
  body->push_back(conv(in, out, 3, stride, 1))
      .push_back(std::make_shared<nn::BatchNorm2d>(out))
      .push_back(std::make_shared<nn::ReLU>())
      .push_back(conv(out, out, 3, 1, 1))
      .push_back(std::make_shared<nn::BatchNorm2d>(out));
  auto shortcut = std::make_shared<nn::Sequential>();
  shortcut->push_back(conv(in, out, 1, stride, 0))
      .push_back(std::make_shared<nn::BatchNorm2d>(out));
  return std::make_shared<nn::Residual>(body, shortcut, std::make_shared<nn::ReLU>());
}

TEST(ResidualModule, BasicBlockStateDictNames) {
  auto block = basic_block(4, 8, 2);
  std::vector<std::string> keys;
  for (const auto& [name, t] : block->state_dict()) keys.push_back(name);
  const std::vector<std::string> expected{
      "body.0.weight",           "body.1.weight",          "body.1.bias",
      "body.3.weight",           "body.4.weight",          "body.4.bias",
      "shortcut.0.weight",       "shortcut.1.weight",      "shortcut.1.bias",
      "body.1.running_mean",     "body.1.running_var",     "body.1.num_batches_tracked",
      "body.4.running_mean",     "body.4.running_var",     "body.4.num_batches_tracked",
      "shortcut.1.running_mean", "shortcut.1.running_var", "shortcut.1.num_batches_tracked"};
  std::vector<std::string> sorted_keys = keys, sorted_expected = expected;
  std::sort(sorted_keys.begin(), sorted_keys.end());
  std::sort(sorted_expected.begin(), sorted_expected.end());
  EXPECT_EQ(sorted_keys, sorted_expected);
  manual_seed(1);
  EXPECT_EQ((*block)(randn({2, 4, 6, 6})).shape(), (Shape{2, 8, 3, 3}));
}

TEST(ResidualModule, IdentityShortcutAddsTheInput) {
  manual_seed(2);
  auto body = std::make_shared<nn::Conv2d>(nn::Conv2dOptions{
      .in_channels = 2, .out_channels = 2, .kernel_size = 3, .padding = 1, .dtype = DType::f64});
  nn::Residual block(body);
  EXPECT_EQ(block.named_children().size(), 1u);
  const Tensor x = randn64({1, 2, 4, 4});
  EXPECT_TRUE(all_close(block(x), (*body)(x) + x));
  EXPECT_TRUE(gradcheck_passes([&](const std::vector<Tensor>& in) { return block(in[0]); }, {x}));
}

TEST(ResidualModule, ShapeMismatchNamesBothShapes) {
  nn::Residual block(conv(2, 4, 3, 1, 1));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        block(zeros({1, 2, 4, 4}));
      },
      {"Residual", "[1, 4, 4, 4]", "[1, 2, 4, 4]", "shortcut"}));
}

TEST(ConcatModule, InceptionBranchesConcatenateChannels) {
  manual_seed(3);
  auto a = conv(3, 2, 1, 1, 0);
  auto b = conv(3, 4, 3, 1, 1);
  auto c = std::make_shared<nn::MaxPool2d>(3, nn::Size2{1, 1}, 1);
  nn::Concat inception{a, b, c};
  std::vector<std::string> children;
  for (const auto& [name, m] : inception.named_children()) children.push_back(name);
  EXPECT_EQ(children, (std::vector<std::string>{"0", "1", "2"}));
  const Tensor x = randn({2, 3, 5, 5});
  const Tensor y = inception(x);
  EXPECT_EQ(y.shape(), (Shape{2, 9, 5, 5}));
  EXPECT_TRUE(equal(y.narrow(1, 2, 4), (*b)(x)));
  nn::Concat bad{a, conv(3, 2, 3, 1, 0)};
  EXPECT_TRUE(throws_error_containing([&] { bad(x); },
                                      {"Concat", "branch 1", "[2, 2, 3, 3]", "[2, 2, 5, 5]"}));
}

}  // namespace
}  // namespace nabla::testing
