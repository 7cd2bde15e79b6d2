// max_pool2d, avg_pool2d and adaptive_avg_pool2d: fused kernels each way
// (src/backend/cpu/pool.cpp). max pooling saves the argmax indices of its forward; the average
// poolings need only the shapes, since their backward spreads dy / divisor over each window.
#include "nabla/nn/functional/pool.hpp"

#include "ops/op_helpers.hpp"

namespace nabla::nn::functional {

using namespace nabla::ops;

int64_t pooled_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                    bool ceil_mode, const char* op) {
  const int64_t span = dilation * (kernel - 1) + 1;
  const int64_t numerator = in + 2 * padding - span + (ceil_mode ? stride - 1 : 0);
  // Floor division (torch's div_rtn): the numerator may be negative for a too-small input.
  int64_t out = (numerator >= 0 ? numerator / stride : -((-numerator + stride - 1) / stride)) + 1;
  // The last window must start inside the input or the left padding.
  if (ceil_mode && (out - 1) * stride >= in + padding) --out;
  NABLA_CHECK(out >= 1, op, ": input size ", in, " with kernel ", kernel, ", stride ", stride,
              ", padding ", padding, " and dilation ", dilation, " gives output size ", out,
              ", which is too small; use a larger input or a smaller kernel");
  return out;
}

namespace {

// x as [N, C, H, W]: torch's pooling also takes an unbatched [C, H, W].
Tensor batched(const Tensor& x, const char* op) {
  NABLA_CHECK(x.dim() == 3 || x.dim() == 4, op,
              ": expected a 3-D [C, H, W] or 4-D [N, C, H, W] input, got shape ", x.shape());
  NABLA_CHECK(is_floating(x.dtype()), op, ": needs a floating tensor, got ", x.dtype());
  return x.dim() == 3 ? x.unsqueeze(0) : x;
}

// Runs the forward kernel and records the backward one; `indices` only for max pooling.
Tensor run_pool(OpId op, OpId backward_op, const Tensor& x, const Shape& out_hw, Pool2dArgs args,
                bool with_indices) {
  const Tensor input = batched(x, op_name(op)).detach().contiguous();
  Backend& backend = dispatch(op, x.device(), x.dtype());
  Tensor out =
      make_tensor({input.size(0), input.size(1), out_hw[0], out_hw[1]}, x.dtype(), x.device());
  Tensor indices = with_indices ? make_tensor(out.shape(), DType::i64, x.device()) : Tensor();
  args.in = view_of(input);
  args.out = view_of(out);
  args.indices = view_of(indices);
  backend.pool2d(op, args);
  if (x.dim() == 3) out = out.squeeze(0);
  // Backward keeps only the window geometry and shapes: the forward's views would be stale.
  Pool2dArgs window = args;
  window.in = window.out = window.indices = View{};
  autograd::record(op_name(op), {x}, out,
                   [window, backward_op, indices, in_shape = input.shape(),
                    out_shape = args.out.shape, x_shape = x.shape()](const Tensor& g,
                                                                    const GradMask&) {
                     const Tensor dy = g.contiguous().reshape(out_shape);
                     Tensor dx = make_tensor(in_shape, g.dtype(), g.device());
                     Pool2dArgs a = window;
                     a.in = view_of(dx);
                     a.out = view_of(dy);
                     a.indices = view_of(indices);
                     dispatch(backward_op, g.device(), g.dtype()).pool2d(backward_op, a);
                     return Grads{dx.reshape(x_shape)};
                   });
  return out;
}

void check_window(const char* op, Size2 kernel, Size2 stride, Size2 padding, Size2 dilation) {
  NABLA_CHECK(kernel.h >= 1 && kernel.w >= 1 && stride.h >= 1 && stride.w >= 1 && dilation.h >= 1 &&
                  dilation.w >= 1,
              op, ": kernel_size (", kernel.h, ", ", kernel.w, "), stride (", stride.h, ", ",
              stride.w, ") and dilation (", dilation.h, ", ", dilation.w, ") must be positive");
  NABLA_CHECK(
      padding.h >= 0 && padding.w >= 0 && padding.h <= kernel.h / 2 && padding.w <= kernel.w / 2,
      op, ": padding (", padding.h, ", ", padding.w,
      ") must be non-negative and at most half of kernel_size (", kernel.h, ", ", kernel.w, ")");
}

Pool2dArgs window_args(Size2 kernel, Size2 stride, Size2 padding, Size2 dilation) {
  Pool2dArgs a;
  a.kernel = {kernel.h, kernel.w};
  a.stride = {stride.h, stride.w};
  a.padding = {padding.h, padding.w};
  a.dilation = {dilation.h, dilation.w};
  return a;
}

}  // namespace

Tensor max_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding) {
  return max_pool2d(x, MaxPool2dOptions{.kernel_size = kernel_size, .stride = stride, .padding = padding});
}

Tensor avg_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride, Size2 padding) {
  return avg_pool2d(x, AvgPool2dOptions{.kernel_size = kernel_size, .stride = stride, .padding = padding});
}

Tensor max_pool2d(const Tensor& x, const MaxPool2dOptions& options) {
  const auto& [kernel_size, stride, padding, dilation, ceil_mode] = options;
  const Size2 s = stride.value_or(kernel_size);
  check_window("max_pool2d", kernel_size, s, padding, dilation);
  const Tensor input = batched(x, "max_pool2d");
  const Shape out_hw{pooled_size(input.size(2), kernel_size.h, s.h, padding.h, dilation.h,
                                 ceil_mode, "max_pool2d"),
                     pooled_size(input.size(3), kernel_size.w, s.w, padding.w, dilation.w,
                                 ceil_mode, "max_pool2d")};
  return run_pool(OpId::max_pool2d, OpId::max_pool2d_backward, x, out_hw,
                  window_args(kernel_size, s, padding, dilation), true);
}

Tensor avg_pool2d(const Tensor& x, const AvgPool2dOptions& options) {
  const auto& [kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override] = options;
  const Size2 s = stride.value_or(kernel_size);
  check_window("avg_pool2d", kernel_size, s, padding, 1);
  NABLA_CHECK(!divisor_override || *divisor_override != 0,
              "avg_pool2d: divisor_override must be non-zero");
  const Tensor input = batched(x, "avg_pool2d");
  const Shape out_hw{
      pooled_size(input.size(2), kernel_size.h, s.h, padding.h, 1, ceil_mode, "avg_pool2d"),
      pooled_size(input.size(3), kernel_size.w, s.w, padding.w, 1, ceil_mode, "avg_pool2d")};
  Pool2dArgs args = window_args(kernel_size, s, padding, 1);
  args.count_include_pad = count_include_pad;
  args.divisor_override = divisor_override.value_or(0);
  return run_pool(OpId::avg_pool2d, OpId::avg_pool2d_backward, x, out_hw, args, false);
}

Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size) {
  const Tensor input = batched(x, "adaptive_avg_pool2d");
  NABLA_CHECK(output_size.h >= 1 && output_size.w >= 1, "adaptive_avg_pool2d: output_size (",
              output_size.h, ", ", output_size.w, ") must be positive");
  NABLA_CHECK(input.size(2) >= 1 && input.size(3) >= 1, "adaptive_avg_pool2d: input of shape ",
              x.shape(), " has an empty plane");
  return run_pool(OpId::adaptive_avg_pool2d, OpId::adaptive_avg_pool2d_backward, x,
                  {output_size.h, output_size.w}, Pool2dArgs{}, false);
}

}  // namespace nabla::nn::functional
