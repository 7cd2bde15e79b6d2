// gradcheck itself: it passes a correct op, catches a wrong backward and names the element.
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;

namespace {
// x³ with a backward that is deliberately wrong by a factor of 2 at index `bad` only.
Tensor cube_with_bug(const Tensor& x, int64_t bad) {
  Tensor y = pow(x.detach(), 3.0);
  autograd::record("cube_with_bug", {x}, y,
                   [saved = autograd::SavedTensor(x, "cube_with_bug"), bad](
                       const Tensor& g, const autograd::GradMask&) {
                     Tensor grad = (g * pow(saved.get(), 2.0) * 3.0).contiguous();
                     if (bad >= 0) grad.data<double>()[bad] *= 2.0;
                     return autograd::Grads{grad};
                   });
  return y;
}
}  // namespace

TEST(Gradcheck, PassesACorrectCustomOp) {
  manual_seed(7);
  Tensor x = nabla::testing::randn64({5});
  const auto result = autograd::gradcheck(
      [](const std::vector<Tensor>& in) { return cube_with_bug(in[0], -1); }, {x});
  EXPECT_TRUE(result.ok) << result.report;
  EXPECT_LT(result.max_abs_error, 1e-6);
}

TEST(Gradcheck, CatchesAWrongBackwardAndNamesTheElement) {
  manual_seed(7);
  Tensor x = nabla::testing::randn64({2, 3});
  const auto result = autograd::gradcheck(
      [](const std::vector<Tensor>& in) { return cube_with_bug(in[0], 4); }, {x});
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.report.find("index [1, 1]"), std::string::npos) << result.report;
  EXPECT_NE(result.report.find("input 0"), std::string::npos) << result.report;
}

TEST(Gradcheck, ChecksOnlyInputsThatRequireGrad) {
  manual_seed(3);
  Tensor a = nabla::testing::randn64({3});
  Tensor b = nabla::testing::randn64({3}, /*requires_grad=*/false);
  EXPECT_TRUE(nabla::testing::gradcheck_passes(
      [](const std::vector<Tensor>& in) { return in[0] * in[1]; }, {a, b}));
}

TEST(Gradcheck, RefusesFloat32AndInputsWithoutGrad) {
  Tensor f = ones({2}, {.requires_grad = true});
  EXPECT_TRUE(throws_error_containing(
      [&] { autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {f}); },
      {"gradcheck", "float32", "float64"}));
  Tensor g = ones({2}, {.dtype = DType::f64});
  EXPECT_TRUE(throws_error_containing(
      [&] { autograd::gradcheck([](const std::vector<Tensor>& in) { return in[0]; }, {g}); },
      {"gradcheck", "no input requires grad"}));
}

TEST(Gradcheck, WorksOnNonContiguousInputs) {
  manual_seed(11);
  Tensor x = nabla::testing::strided_leaf(nabla::testing::randn64({2, 3}, false));
  EXPECT_TRUE(nabla::testing::gradcheck_passes(
      [](const std::vector<Tensor>& in) { return cube_with_bug(in[0], -1); }, {x}));
}
