// CUDA vs CPU for the cuDNN / own-kernel layers (src/backend/cuda/conv.cpp, pool.cu, norm.cu):
// the public op runs on CPU leaves and on their CUDA copies, and the outputs and the gradients
// of every input must agree (f32 within float32 rounding of differently ordered sums, f64 much
// tighter). Also: backward passes repeat bitwise (deterministic algorithms), and bf16 / f16
// autocast and TF32 keep matmul and conv close to the exact f32 result. Every test skips,
// saying why, when no GPU is visible.
#include <cmath>
#include <string>
#include <vector>

#include "cuda/parity.hpp"
#include "nabla/amp.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;
namespace F = nabla::nn::functional;
using F::Size2;

namespace {

const Device kCuda(Device::CUDA);

// A conv output or weight gradient sums up to a few hundred products, so float32 results of
// cuDNN and OpenBLAS differ by more ulps than an elementwise op's.
constexpr Tolerance kConvF32{1e-4, 5e-5};

// The f64 tolerance for double inputs, `f32` otherwise.
Tolerance for_dtype(DType dtype, Tolerance f32 = {}) {
  return dtype == DType::f64 ? kFloat64 : f32;
}

bool on_cuda(const Inputs& in) { return in.at(0).device().kind == Device::CUDA; }

// Keeps TF32 off for the next test whatever this one did.
struct Tf32Reset {
  ~Tf32Reset() { set_allow_tf32(false); }
};

// A convolution case: input and weight shapes and the op's arguments.
struct ConvCase {
  std::string name;
  Shape x, w;
  Size2 stride = 1;
  F::Padding2d padding = 0;
  Size2 dilation = 1;
  int64_t groups = 1;
  bool bias = true;
};

std::vector<ConvCase> conv_cases() {
  return {
      {"plain 3x3", {2, 3, 9, 8}, {4, 3, 3, 3}},
      {"stride and padding", {2, 3, 11, 10}, {5, 3, 3, 5}, {2, 3}, {1, 2}},
      {"dilation", {1, 2, 12, 12}, {3, 2, 3, 3}, 1, 2, {2, 3}},
      {"groups", {2, 6, 7, 7}, {4, 3, 3, 3}, 1, 1, 1, 2},
      {"depthwise, no bias", {2, 4, 8, 8}, {4, 1, 3, 3}, 2, 1, 1, 4, false},
      {"pointwise", {3, 5, 6, 4}, {2, 5, 1, 1}},
      // 'same' with an even span pads one more at the bottom/right than at the top/left.
      {"same, even kernel (asymmetric)", {2, 3, 7, 6}, {4, 3, 4, 2}, 1, "same"},
      {"same, dilated even span", {1, 2, 9, 9}, {2, 2, 2, 3}, 1, "same", {3, 1}},
      {"valid", {2, 2, 6, 7}, {3, 2, 2, 4}, 1, "valid"},
  };
}

}  // namespace

TEST(DnnParity, Conv2dForwardAndBackward) {
  NABLA_REQUIRE_CUDA();
  manual_seed(1);
  for (const DType dtype : {DType::f32, DType::f64})
    for (const ConvCase& c : conv_cases()) {
      Inputs values{randn_leaf(c.x, dtype), randn_leaf(c.w, dtype)};
      if (c.bias) values.push_back(randn_leaf({c.w[0]}, dtype));
      EXPECT_TRUE(matches_cpu(
          [&](const Inputs& in) {
            return F::conv2d(in[0], in[1], c.bias ? in[2] : Tensor(), c.stride, c.padding,
                             c.dilation, c.groups);
          },
          values, for_dtype(dtype, kConvF32)))
          << c.name << " (" << dtype << ")";
    }
}

TEST(DnnParity, Conv2dBackwardRepeatsBitwise) {
  NABLA_REQUIRE_CUDA();
  manual_seed(2);
  const Tensor x = randn({4, 8, 16, 16}).to(kCuda), w = randn({16, 8, 3, 3}).to(kCuda);
  std::vector<Tensor> grads;
  for (int run = 0; run < 2; ++run) {
    const Tensor xr = x.detach(), wr = w.detach();
    xr.requires_grad_();
    wr.requires_grad_();
    const Tensor y = F::conv2d(xr, wr, Tensor(), 1, 1);
    (y * y).sum().backward();
    grads.push_back(xr.grad().to(Device::CPU));
    grads.push_back(wr.grad().to(Device::CPU));
  }
  EXPECT_TRUE(equal(grads[0], grads[2])) << "input gradient";
  EXPECT_TRUE(equal(grads[1], grads[3])) << "weight gradient";
}

TEST(DnnParity, MaxPool2d) {
  NABLA_REQUIRE_CUDA();
  manual_seed(3);
  for (const DType dtype : {DType::f32, DType::f64}) {
    const Tensor x = randn_leaf({2, 3, 11, 10}, dtype);
    const Tolerance tol = for_dtype(dtype);
    EXPECT_TRUE(matches_cpu([](const Inputs& in) { return F::max_pool2d(in[0], 2); }, {x}, tol));
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::max_pool2d(in[0], 3, Size2{2, 2}, 1); }, {x}, tol))
        << "overlapping, padded";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::max_pool2d(in[0], {.kernel_size = Size2{3, 2}, .stride = Size2{2, 1}, .padding = Size2{1, 0}, .dilation = Size2{2, 1}}); },
        {x}, tol))
        << "dilated";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::max_pool2d(in[0], {.kernel_size = 3, .stride = 2, .ceil_mode = true}); }, {x},
        tol))
        << "ceil mode";
  }
}

TEST(DnnParity, AvgPool2d) {
  NABLA_REQUIRE_CUDA();
  manual_seed(4);
  for (const DType dtype : {DType::f32, DType::f64}) {
    const Tensor x = randn_leaf({2, 3, 9, 10}, dtype);
    const Tolerance tol = for_dtype(dtype);
    EXPECT_TRUE(matches_cpu([](const Inputs& in) { return F::avg_pool2d(in[0], 2); }, {x}, tol));
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::avg_pool2d(in[0], 3, Size2{2, 2}, 1); }, {x}, tol))
        << "padded, count_include_pad";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::avg_pool2d(in[0], {.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true, .count_include_pad = false}); },
        {x}, tol))
        << "ceil mode, padding left out of the divisor";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) {
          return F::avg_pool2d(in[0], {.kernel_size = Size2{3, 2}, .stride = Size2{1, 2}, .padding = Size2{1, 1}, .divisor_override = 5});
        },
        {x}, tol))
        << "divisor_override";
  }
}

TEST(DnnParity, AdaptiveAvgPool2d) {
  NABLA_REQUIRE_CUDA();
  manual_seed(5);
  for (const DType dtype : {DType::f32, DType::f64}) {
    const Tensor x = randn_leaf({2, 3, 7, 9}, dtype);
    const Tolerance tol = for_dtype(dtype);
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::adaptive_avg_pool2d(in[0], {5, 3}); }, {x}, tol))
        << "overlapping windows";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::adaptive_avg_pool2d(in[0], 1); }, {x}, tol))
        << "global";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::adaptive_avg_pool2d(in[0], {9, 11}); }, {x}, tol))
        << "more outputs than inputs";
  }
}

TEST(DnnParity, PoolsAreExactlyTheCpus) {
  // The kernels repeat the CPU's arithmetic in its order (window sums in double, gradients
  // added in output order), so results match bit for bit, not just closely.
  NABLA_REQUIRE_CUDA();
  manual_seed(6);
  const Tensor x = randn_leaf({2, 2, 9, 10});
  EXPECT_TRUE(matches_cpu(
      [](const Inputs& in) { return F::max_pool2d(in[0], {.kernel_size = 3, .stride = Size2{1, 2}, .padding = 1, .ceil_mode = true}); }, {x},
      kExact))
      << "max";
  EXPECT_TRUE(matches_cpu(
      [](const Inputs& in) { return F::avg_pool2d(in[0], {.kernel_size = 3, .stride = Size2{2, 1}, .padding = 1, .ceil_mode = true, .count_include_pad = false}); }, {x},
      kExact))
      << "avg";
  EXPECT_TRUE(matches_cpu(
      [](const Inputs& in) { return F::adaptive_avg_pool2d(in[0], {4, 6}); }, {x}, kExact))
      << "adaptive";
}

TEST(DnnParity, BatchNormTrainingAndEval) {
  NABLA_REQUIRE_CUDA();
  manual_seed(7);
  for (const DType dtype : {DType::f32, DType::f64}) {
    const Tolerance tol = for_dtype(dtype);
    const Tensor mean0 = randn({4}, {.dtype = dtype}), var0 = rand({4}, {.dtype = dtype}) + 0.5;
    const Tensor rm_cpu = mean0.clone(), rv_cpu = var0.clone();
    const Tensor rm_gpu = mean0.to(kCuda), rv_gpu = var0.to(kCuda);
    const Inputs values{randn_leaf({3, 4, 5, 6}, dtype), randn_leaf({4}, dtype),
                        randn_leaf({4}, dtype)};
    EXPECT_TRUE(matches_cpu(
        [&](const Inputs& in) {
          const bool gpu = on_cuda(in);
          return F::batch_norm(in[0], gpu ? rm_gpu : rm_cpu, gpu ? rv_gpu : rv_cpu, in[1], in[2],
                               true, 0.2, 1e-3);
        },
        values, tol))
        << "training (" << dtype << ")";
    EXPECT_TRUE(close(rm_gpu, rm_cpu, tol, "running_mean"));
    EXPECT_TRUE(close(rv_gpu, rv_cpu, tol, "running_var"));
    EXPECT_TRUE(matches_cpu(
        [&](const Inputs& in) {
          const bool gpu = on_cuda(in);
          return F::batch_norm(in[0], gpu ? rm_gpu : rm_cpu, gpu ? rv_gpu : rv_cpu, in[1], in[2],
                               false);
        },
        values, tol))
        << "eval (" << dtype << ")";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::batch_norm(in[0], {}, {}, {}, {}, true); },
        {randn_leaf({8, 3}, dtype)}, tol))
        << "2-D input, no affine, no running stats";
  }
}

TEST(DnnParity, GroupLayerAndInstanceNorm) {
  NABLA_REQUIRE_CUDA();
  manual_seed(8);
  for (const DType dtype : {DType::f32, DType::f64}) {
    const Tolerance tol = for_dtype(dtype);
    const Tensor x = randn_leaf({2, 6, 5, 4}, dtype);
    const Tensor gamma = randn_leaf({6}, dtype), beta = randn_leaf({6}, dtype);
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::group_norm(in[0], 3, in[1], in[2]); },
        {x, gamma, beta}, tol))
        << "group_norm";
    EXPECT_TRUE(matches_cpu([](const Inputs& in) { return F::group_norm(in[0], 2); }, {x}, tol))
        << "group_norm without affine";
    EXPECT_TRUE(matches_cpu(
        [](const Inputs& in) { return F::layer_norm(in[0], {5, 4}, in[1], in[2]); },
        {x, randn_leaf({5, 4}, dtype), randn_leaf({5, 4}, dtype)}, tol))
        << "layer_norm";
    EXPECT_TRUE(matches_cpu([](const Inputs& in) { return F::instance_norm(in[0]); }, {x}, tol))
        << "instance_norm";
  }
}

namespace {

// ‖a − b‖ / ‖b‖ over all elements, computed on the CPU in double.
double relative_error(const Tensor& a, const Tensor& b) {
  const Tensor want = b.to(DType::f64), diff = a.to(Device::CPU).to(DType::f64) - want;
  return std::sqrt(sum(diff * diff).item() / sum(want * want).item());
}

}  // namespace

TEST(DnnParity, ReducedPrecisionStaysCloseToExactF32) {
  NABLA_REQUIRE_CUDA();
  manual_seed(9);
  const Tf32Reset reset;
  const Tensor a = randn({64, 96}), b = randn({96, 48});
  const Tensor x = randn({2, 16, 12, 12}), w = randn({8, 16, 3, 3}), bias = randn({8});
  const Tensor mm = matmul(a, b), conv = F::conv2d(x, w, bias, 1, 1);
  const Tensor ag = a.to(kCuda), bg = b.to(kCuda), xg = x.to(kCuda), wg = w.to(kCuda);
  const Tensor biasg = bias.to(kCuda);
  EXPECT_LT(relative_error(matmul(ag, bg), mm), 1e-6) << "exact f32 by default";
  EXPECT_LT(relative_error(F::conv2d(xg, wg, biasg, 1, 1), conv), 1e-6) << "exact f32 by default";
  for (const Precision p : {Precision::bf16, Precision::f16}) {
    AutocastGuard autocast(p);
    EXPECT_LT(relative_error(matmul(ag, bg), mm), 1e-2) << precision_name(p);
    EXPECT_LT(relative_error(F::conv2d(xg, wg, biasg, 1, 1), conv), 1e-2) << precision_name(p);
  }
  set_allow_tf32(true);
  EXPECT_LT(relative_error(matmul(ag, bg), mm), 1e-2) << "tf32";
  EXPECT_LT(relative_error(F::conv2d(xg, wg, biasg, 1, 1), conv), 1e-2) << "tf32";
}
