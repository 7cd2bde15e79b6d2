// max_pool2d, avg_pool2d, adaptive_avg_pool2d: gradients, hand-worked windows, output sizes
// and errors. (Values against PyTorch: conv_fixtures_test.cpp.)
#include "nabla/nn/functional/pool.hpp"

#include <cmath>

#include "support/harness.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;

// Distinct values so max pooling's argmax is unique and finite differences stay on one side.
Tensor distinct64(const Shape& shape) {
  const int64_t n = shape_numel(shape);
  // A fixed permutation of evenly spaced values: 7919 is prime, so i -> 7919·i mod n is one.
  std::vector<double> data(n);
  for (int64_t i = 0; i < n; ++i)
    data[i] = static_cast<double>((i * 7919) % n) / static_cast<double>(n) - 0.5;
  return from_vector(data, shape, true);
}

TEST(PoolOp, MaxPoolGradcheckWithPaddingDilationAndCeilMode) {
  const Tensor x = distinct64({2, 2, 7, 6});
  for (bool ceil : {false, true}) {
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) { return F::max_pool2d(in[0], 2); }, {x}));
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) {
          return F::max_pool2d(in[0], {.kernel_size = F::Size2{3, 2}, .stride = F::Size2{2, 2},
                                       .padding = F::Size2{1, 1}, .ceil_mode = ceil});
        },
        {x}));
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) {
          return F::max_pool2d(in[0], {.kernel_size = 2, .stride = F::Size2{1, 2}, .padding = 1,
                                       .dilation = F::Size2{2, 1}, .ceil_mode = ceil});
        },
        {x}));
  }
}

TEST(PoolOp, AvgPoolGradcheckAllDivisorRules) {
  manual_seed(2);
  const Tensor x = randn64({1, 2, 7, 6});
  for (bool ceil : {false, true})
    for (bool include : {false, true}) {
      EXPECT_TRUE(gradcheck_passes(
          [&](const std::vector<Tensor>& in) {
            return F::avg_pool2d(in[0], {.kernel_size = 3, .stride = F::Size2{2, 2}, .padding = 1,
                                         .ceil_mode = ceil, .count_include_pad = include});
          },
          {x}));
    }
  EXPECT_TRUE(gradcheck_passes(
      [&](const std::vector<Tensor>& in) {
        return F::avg_pool2d(in[0], {.kernel_size = F::Size2{2, 3}, .padding = F::Size2{1, 1},
                                     .divisor_override = 4});
      },
      {x}));
}

TEST(PoolOp, AdaptiveAvgPoolGradcheckAndGlobal) {
  manual_seed(3);
  const Tensor x = randn64({2, 3, 5, 7});
  for (F::Size2 out : {F::Size2{1, 1}, F::Size2{3, 2}, F::Size2{7, 9}})
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) { return F::adaptive_avg_pool2d(in[0], out); }, {x}));
  const Tensor global = F::adaptive_avg_pool2d(x, 1);
  EXPECT_EQ(global.shape(), (Shape{2, 3, 1, 1}));
  EXPECT_TRUE(all_close(global.reshape({2, 3}), mean(x, {2, 3})));
}

TEST(PoolOp, HandWorkedWindows) {
  // 1 2 3 4 / 5 6 7 8 / 9 10 11 12, kernel 2, stride 2, ceil_mode: a partial last window.
  const Tensor x = f64({1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, {1, 1, 3, 4});
  EXPECT_TRUE(
      all_close(F::max_pool2d(x, {.kernel_size = 2, .ceil_mode = true}), f64({6, 8, 10, 12}, {1, 1, 2, 2})));
  // count_include_pad: the corner window [pad, 1; pad, 5] divides by 4; excluding pads, by 2.
  EXPECT_TRUE(all_close(F::avg_pool2d(x, 2, std::nullopt, 1).narrow(3, 0, 1).narrow(2, 0, 1),
                        f64({0.25}, {1, 1, 1, 1})));
  EXPECT_TRUE(
      all_close(F::avg_pool2d(x, {.kernel_size = 2, .padding = 1, .count_include_pad = false})
                    .narrow(3, 0, 1)
                    .narrow(2, 0, 1),
                f64({1.0}, {1, 1, 1, 1})));
  // Adaptive 3x4 -> 2x3: rows [0,2) [1,3), cols [0,2) [1,3) [2,4).
  EXPECT_TRUE(all_close(F::adaptive_avg_pool2d(x, {2, 3}),
                        f64({3.5, 4.5, 5.5, 7.5, 8.5, 9.5}, {1, 1, 2, 3})));
}

TEST(PoolOp, MaxPoolGradientGoesToTheArgmax) {
  const Tensor x = f64({1, 9, 3, 4, 2, 8, 7, 6, 5}, {1, 3, 3}, true);  // unbatched input
  F::max_pool2d(x, 2, F::Size2{1, 1}).sum().backward();
  EXPECT_TRUE(all_close(x.grad(), f64({0, 2, 0, 0, 0, 1, 1, 0, 0}, {1, 3, 3})));
}

// Kernel 2, stride 2 without padding has its own branch-free kernel for planes without NaN; it
// must pick what the general loop picks: on ties the first maximum in row order, and in a plane
// with NaN (which then takes the general loop) the last NaN of a window.
TEST(PoolOp, MaxPool2x2KeepsTheFirstMaximumAndTheLastNaN) {
  const int64_t h = 4, w = 6;
  std::vector<double> data(2 * h * w);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<double>((i * 7) % 3);  // ties
  data[h * w + 2 * w + 3] = NAN;  // plane 1, window (1, 1): NaNs at (2, 3) and (3, 2)
  data[h * w + 3 * w + 2] = NAN;
  const Tensor x = from_vector(data, {1, 2, h, w}, true);
  const Tensor y = F::max_pool2d(x, 2);
  y.sum().backward();
  const std::vector<double> out = y.detach().to_vector<double>();
  const std::vector<double> grad = x.grad().to_vector<double>();
  std::vector<double> expected_grad(data.size(), 0.0);
  for (int64_t plane = 0; plane < 2; ++plane)
    for (int64_t oh = 0; oh < h / 2; ++oh)
      for (int64_t ow = 0; ow < w / 2; ++ow) {
        int64_t best = plane * h * w + 2 * oh * w + 2 * ow;
        for (int64_t i = 0; i < 2; ++i)
          for (int64_t j = 0; j < 2; ++j) {
            const int64_t at = plane * h * w + (2 * oh + i) * w + 2 * ow + j;
            if (data[at] > data[best] || std::isnan(data[at])) best = at;
          }
        expected_grad[best] = 1.0;
        const double got = out[(plane * (h / 2) + oh) * (w / 2) + ow];
        if (std::isnan(data[best]))
          EXPECT_TRUE(std::isnan(got));
        else
          EXPECT_EQ(got, data[best]);
      }
  EXPECT_EQ(grad, expected_grad);
  EXPECT_EQ(expected_grad[h * w + 3 * w + 2], 1.0);  // the NaN window's gradient: the last NaN
}

TEST(PoolOp, OutputSizesFollowTorch) {
  EXPECT_EQ(F::pooled_size(7, 3, 2, 0, 1, false, "t"), 3);
  EXPECT_EQ(F::pooled_size(7, 3, 2, 0, 1, true, "t"), 3);
  EXPECT_EQ(F::pooled_size(8, 3, 2, 0, 1, true, "t"), 4);
  EXPECT_EQ(F::pooled_size(8, 3, 2, 1, 1, true, "t"), 5);
  EXPECT_EQ(F::pooled_size(7, 2, 2, 1, 1, true, "t"), 4);  // a 5th window would start in the pad
  EXPECT_EQ(F::pooled_size(9, 2, 1, 1, 2, false, "t"), 9);
}

TEST(PoolOp, ErrorsNameTheOpAndSizes) {
  EXPECT_TRUE(throws_error_containing(
      [] {
        F::max_pool2d(zeros({1, 1, 2, 2}), 3);
      },
      {"max_pool2d", "input size 2", "kernel 3", "too small"}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        F::avg_pool2d(zeros({1, 1, 4, 4}), 2, std::nullopt, 2);
      },
      {"avg_pool2d", "padding (2, 2)", "at most half"}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        F::max_pool2d(zeros({4, 4}), 2);
      },
      {"max_pool2d", "3-D", "4-D", "[4, 4]"}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        F::adaptive_avg_pool2d(zeros({1, 1, 4, 4}), 0);
      },
      {"adaptive_avg_pool2d", "output_size (0, 0)"}));
}

}  // namespace
}  // namespace nabla::testing
