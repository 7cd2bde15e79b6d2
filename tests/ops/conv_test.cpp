// conv2d: finite-difference gradients over the geometry options, the fast kernels (oneDNN for
// float32, im2col + GEMM) against the naive loop and each other, and the errors.
#include "nabla/nn/functional/conv.hpp"

#include <omp.h>

#include "backend/cpu/conv_onednn.hpp"
#include "support/harness.hpp"
#include "support/reference.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;

struct ConvCase {
  const char* name;
  Shape x, w;
  F::Size2 stride, dilation;
  F::Padding2d padding;
  int64_t groups;
  bool bias;
};

// Small shapes: every combination the kernel has a separate path for.
const ConvCase kCases[] = {
    {"plain", {2, 3, 5, 5}, {4, 3, 3, 3}, 1, 1, 0, 1, true},
    {"stride2_pad1", {2, 2, 6, 5}, {3, 2, 3, 3}, 2, 1, 1, 1, true},
    {"rect_stride_pad_no_bias", {1, 2, 5, 7}, {2, 2, 2, 3}, {2, 1}, 1, {1, 0}, 1, false},
    {"dilation", {1, 2, 7, 7}, {2, 2, 3, 3}, 1, 2, 2, 1, true},
    {"groups", {2, 4, 5, 5}, {6, 2, 3, 3}, 1, 1, 1, 2, true},
    {"depthwise", {2, 3, 5, 4}, {6, 1, 3, 3}, {1, 2}, 1, 1, 3, false},
    {"pointwise", {2, 3, 4, 4}, {2, 3, 1, 1}, 1, 1, 0, 1, true},
    {"same_odd", {1, 2, 5, 6}, {2, 2, 3, 3}, 1, 1, "same", 1, true},
    {"same_even_kernel", {1, 2, 5, 5}, {3, 2, 2, 4}, 1, 1, "same", 1, true},
    {"same_dilated", {1, 1, 6, 6}, {2, 1, 3, 2}, 1, {2, 3}, "same", 1, false},
    {"valid", {1, 2, 4, 5}, {2, 2, 2, 2}, 1, 1, "valid", 1, true},
};

TEST(Conv2dOp, GradcheckOverStridePaddingDilationGroupsAndBias) {
  for (const ConvCase& c : kCases) {
    SCOPED_TRACE(c.name);
    manual_seed(1);
    std::vector<Tensor> inputs{randn64(c.x), randn64(c.w)};
    if (c.bias) inputs.push_back(randn64({c.w[0]}));
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) {
          return F::conv2d(in[0], in[1], c.bias ? in[2] : Tensor(), c.stride, c.padding, c.dilation,
                           c.groups);
        },
        inputs));
  }
}

TEST(Conv2dOp, SamePaddingKeepsHeightAndWidth) {
  const Tensor y = F::conv2d(zeros({1, 2, 5, 6}), zeros({3, 2, 4, 3}), {}, 1, "same", {1, 2});
  EXPECT_EQ(y.shape(), (Shape{1, 3, 5, 6}));
}

// The fast kernel against the loop in tests/support/reference.cpp, f32 and f64, with a batch
// large enough to take the one-image-per-thread path too.
void expect_matches_reference(const ConvCase& c, int64_t batch, DType dtype) {
  manual_seed(7);
  Shape xs = c.x;
  xs[0] = batch;
  const Tensor x = randn(xs, {.dtype = dtype}), w = randn(c.w, {.dtype = dtype});
  const Tensor b = c.bias ? randn({c.w[0]}, {.dtype = dtype}) : Tensor();
  const Tensor y = F::conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups);
  reference::Conv2dGeometry g{xs[0],  xs[1],  xs[2],     xs[3],    c.w[0],
                              c.w[2], c.w[3], y.size(2), y.size(3)};
  g.stride_h = c.stride.h;
  g.stride_w = c.stride.w;
  g.dil_h = c.dilation.h;
  g.dil_w = c.dilation.w;
  g.groups = c.groups;
  if (c.padding.mode == F::Padding2d::Mode::same) {
    g.pad_h = c.dilation.h * (c.w[2] - 1) / 2;
    g.pad_w = c.dilation.w * (c.w[3] - 1) / 2;
  } else if (c.padding.mode == F::Padding2d::Mode::explicit_size) {
    g.pad_h = c.padding.size.h;
    g.pad_w = c.padding.size.w;
  }
  const auto expected =
      reference::conv2d(x.to(DType::f64).to_vector<double>(), w.to(DType::f64).to_vector<double>(),
                        c.bias ? b.to(DType::f64).to_vector<double>() : std::vector<double>{}, g);
  const double tol = dtype == DType::f32 ? 1e-4 : 1e-12;
  EXPECT_TRUE(all_close(y.to(DType::f64), from_vector(expected, y.shape()), tol, tol));
}

TEST(Conv2dOp, FastKernelMatchesNaiveLoop) {
  const int64_t big_batch = std::max(4, 2 * omp_get_max_threads());
  for (const ConvCase& c : kCases)
    for (DType dtype : {DType::f32, DType::f64})
      for (int64_t batch : {int64_t{1}, big_batch}) {
        SCOPED_TRACE(std::string(c.name) + " batch " + std::to_string(batch));
        expect_matches_reference(c, batch, dtype);
      }
}

// Gradients through the batch-parallel path (per-thread weight-gradient partials) equal the
// single-image sums.
TEST(Conv2dOp, WeightGradientOfABatchIsTheSumOverImages) {
  manual_seed(3);
  const int64_t batch = std::max(4, 2 * omp_get_max_threads());
  const Tensor x = randn64({batch, 3, 6, 6}, false), w = randn64({4, 3, 3, 3});
  const Tensor b = randn64({4});
  F::conv2d(x, w, b, 1, 1).sum().backward();
  Tensor dw = zeros_like(w), db = zeros_like(b);
  for (int64_t n = 0; n < batch; ++n) {
    const Tensor wi = w.detach().clone().requires_grad_(), bi = b.detach().clone().requires_grad_();
    F::conv2d(x.narrow(0, n, 1), wi, bi, 1, 1).sum().backward();
    dw = dw + wi.grad();
    db = db + bi.grad();
  }
  EXPECT_TRUE(all_close(w.grad(), dw, 1e-10, 1e-10));
  EXPECT_TRUE(all_close(b.grad(), db, 1e-10, 1e-10));
}

// float32 goes through oneDNN where it is built in; float64 (every gradcheck above) through
// im2col. The two float32 engines on the same inputs: output, input, weight and bias gradients.
struct Conv2dResult {
  Tensor y, dx, dw, db;
};

Conv2dResult conv2d_with_grads(const ConvCase& c, const Tensor& x, const Tensor& w,
                               const Tensor& b, const Tensor& dy) {
  const Tensor xl = x.detach().clone().requires_grad_(), wl = w.detach().clone().requires_grad_();
  const Tensor bl = c.bias ? b.detach().clone().requires_grad_() : Tensor();
  const Tensor y = F::conv2d(xl, wl, bl, c.stride, c.padding, c.dilation, c.groups);
  y.backward(dy);
  return {y.detach(), xl.grad(), wl.grad(), c.bias ? bl.grad() : Tensor()};
}

class OneDnnSwitch {
 public:
  explicit OneDnnSwitch(bool on) : before_(cpu::onednn_conv_enabled()) {
    cpu::set_onednn_conv_enabled(on);
  }
  ~OneDnnSwitch() { cpu::set_onednn_conv_enabled(before_); }

 private:
  bool before_;
};

TEST(Conv2dOp, OneDnnMatchesIm2colForwardAndGradients) {
  if (!cpu::onednn_conv_enabled()) GTEST_SKIP() << "built without oneDNN (-DNABLA_ONEDNN=OFF)";
  for (const ConvCase& c : kCases)
    for (int64_t batch : {int64_t{1}, int64_t{5}}) {
      SCOPED_TRACE(std::string(c.name) + " batch " + std::to_string(batch));
      manual_seed(11);
      Shape xs = c.x;
      xs[0] = batch;
      const Tensor x = randn(xs), w = randn(c.w), b = c.bias ? randn({c.w[0]}) : Tensor();
      const Tensor dy =
          randn(F::conv2d(x, w, b, c.stride, c.padding, c.dilation, c.groups).shape());
      Conv2dResult fast, im2col;
      {
        const OneDnnSwitch on(true);
        fast = conv2d_with_grads(c, x, w, b, dy);
      }
      {
        const OneDnnSwitch off(false);
        im2col = conv2d_with_grads(c, x, w, b, dy);
      }
      EXPECT_TRUE(all_close(fast.y, im2col.y, 1e-4, 1e-4));
      EXPECT_TRUE(all_close(fast.dx, im2col.dx, 1e-4, 1e-4));
      EXPECT_TRUE(all_close(fast.dw, im2col.dw, 1e-4, 1e-4));
      if (c.bias) {
        EXPECT_TRUE(all_close(fast.db, im2col.db, 1e-4, 1e-4));
      }
    }
}

// Resuming a run reproduces it bit for bit only if every kernel does: twice the same call,
// twice the same bits (oneDNN splits work by thread count alone).
TEST(Conv2dOp, Float32KernelsAreBitwiseRepeatable) {
  const ConvCase c{"cnn", {8, 16, 12, 12}, {16, 16, 3, 3}, 1, 1, 1, 1, true};
  manual_seed(12);
  const Tensor x = randn(c.x), w = randn(c.w), b = randn({16});
  const Tensor dy = randn({8, 16, 12, 12});
  const Conv2dResult first = conv2d_with_grads(c, x, w, b, dy);
  const Conv2dResult second = conv2d_with_grads(c, x, w, b, dy);
  EXPECT_TRUE(all_close(first.y, second.y, 0, 0));
  EXPECT_TRUE(all_close(first.dx, second.dx, 0, 0));
  EXPECT_TRUE(all_close(first.dw, second.dw, 0, 0));
  EXPECT_TRUE(all_close(first.db, second.db, 0, 0));
}

TEST(Conv2dOp, NonContiguousInputs) {
  manual_seed(4);
  const Tensor x = randn64({1, 2, 5, 5}), w = randn64({3, 2, 3, 3});
  const Tensor expected = F::conv2d(x, w, {}, 1, 1);
  EXPECT_TRUE(all_close(F::conv2d(strided_leaf(x), transposed_leaf(w), {}, 1, 1), expected));
}

TEST(Conv2dOp, ErrorsNameShapesAndTheFix) {
  const Tensor x = zeros({2, 3, 8, 8});
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::conv2d(x, zeros({4, 2, 3, 3}));
      },
      {"conv2d", "[2, 3, 8, 8]", "3 channels", "[4, 2, 3, 3]", "expects 2 input channels"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::conv2d(x, zeros({4, 1, 3, 3}), {}, 1, 0, 1, 2);
      },
      {"conv2d", "groups = 2", "in_channels (3)"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::conv2d(x, zeros({4, 3, 9, 3}));
      },
      {"conv2d", "spans 9", "only 8", "smaller kernel"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::conv2d(zeros({3, 8, 8}), zeros({4, 3, 3, 3}));
      },
      {"conv2d", "4-D input", "[3, 8, 8]", "unsqueeze(0)"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::conv2d(x, zeros({4, 3, 3, 3}), {}, 2, "same");
      },
      {"conv2d", "'same' needs stride 1"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::conv2d(x, zeros({4, 3, 3, 3}), zeros({3}));
      },
      {"conv2d", "bias", "out_channels = 4"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        F::conv2d(x, zeros({4, 3, 3, 3}), {}, 1, "full");
      },
      {"padding 'full'", "'same' or 'valid'"}));
}

}  // namespace
}  // namespace nabla::testing
