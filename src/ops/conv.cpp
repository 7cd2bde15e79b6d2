// conv2d: one fused op, im2col + GEMM kernels in the backend (src/backend/cpu/conv.cpp).
//   y  = conv(x, W) + b                     x [N, C_in, H, W], W [C_out, C_in/g, kH, kW]
//   dx = conv_transpose(dy, W)              (col2im of Wᵀ · dy)
//   dW = Σ_n dy · col(x)ᵀ,  db = Σ_{n,i,j} dy
// The op checks every shape once, so kernels can assume a consistent geometry.
#include "nabla/nn/functional/conv.hpp"

#include <sstream>

#include "ops/op_helpers.hpp"

namespace nabla::nn::functional {

using namespace nabla::ops;

Padding2d::Padding2d(const char* name) {
  const std::string n = name ? name : "";
  NABLA_CHECK(n == "same" || n == "valid", "conv2d: padding '", n,
              "' is not one of 'same' or 'valid' (or give a number or a pair)");
  mode = n == "same" ? Mode::same : Mode::valid;
}

std::string Padding2d::repr() const {
  if (mode == Mode::same) return "same";
  if (mode == Mode::valid) return "valid";
  // A stream, not string operator+: GCC 12 warns falsely (-Wrestrict) on "(" + to_string().
  std::ostringstream out;
  if (size.h == size.w)
    out << size.h;
  else
    out << '(' << size.h << ", " << size.w << ')';
  return out.str();
}

namespace {

void check_conv_args(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride,
                     const Padding2d& padding, Size2 dilation, int64_t groups) {
  NABLA_CHECK(x.dim() == 4, "conv2d: expected a 4-D input [N, C, H, W], got shape ", x.shape(),
              x.dim() == 3 ? "; add the batch dim with x.unsqueeze(0)" : "");
  NABLA_CHECK(weight.dim() == 4,
              "conv2d: expected a 4-D weight [C_out, C_in / groups, kH, kW], got shape ",
              weight.shape());
  NABLA_CHECK(x.dtype() == weight.dtype() && is_floating(x.dtype()), "conv2d: input (", x.dtype(),
              ") and weight (", weight.dtype(),
              ") must share one floating dtype; convert with .to(DType)");
  NABLA_CHECK(x.device() == weight.device(), "conv2d: input on ", x.device(), ", weight on ",
              weight.device());
  NABLA_CHECK(groups >= 1, "conv2d: groups must be positive, got ", groups);
  const int64_t c_in = x.size(1), c_out = weight.size(0);
  NABLA_CHECK(c_in % groups == 0 && c_out % groups == 0, "conv2d: groups = ", groups,
              " must divide both in_channels (", c_in, ") and out_channels (", c_out, ")");
  NABLA_CHECK(c_in == weight.size(1) * groups, "conv2d: input of shape ", x.shape(), " has ", c_in,
              " channels, but weight of shape ", weight.shape(), " with groups = ", groups,
              " expects ", weight.size(1) * groups, " input channels");
  if (bias.defined())
    NABLA_CHECK(bias.dim() == 1 && bias.size(0) == c_out && bias.dtype() == x.dtype(),
                "conv2d: bias must be 1-D of size out_channels = ", c_out, " and dtype ", x.dtype(),
                ", got shape ", bias.shape(), " and dtype ", bias.dtype());
  NABLA_CHECK(stride.h >= 1 && stride.w >= 1 && dilation.h >= 1 && dilation.w >= 1,
              "conv2d: stride (", stride.h, ", ", stride.w, ") and dilation (", dilation.h, ", ",
              dilation.w, ") must be positive");
  NABLA_CHECK(padding.size.h >= 0 && padding.size.w >= 0, "conv2d: padding (", padding.size.h, ", ",
              padding.size.w, ") must be non-negative");
  NABLA_CHECK(padding.mode != Padding2d::Mode::same || (stride.h == 1 && stride.w == 1),
              "conv2d: padding='same' needs stride 1, got stride (", stride.h, ", ", stride.w,
              "); give the padding as numbers instead");
}

struct Geometry {
  std::array<int64_t, 2> padding{0, 0};  // top, left
  Shape out_shape;
};

Geometry conv_geometry(const Tensor& x, const Tensor& weight, Size2 stride,
                       const Padding2d& padding, Size2 dilation) {
  Geometry g;
  const int64_t sizes[2] = {x.size(2), x.size(3)}, kernel[2] = {weight.size(2), weight.size(3)};
  const int64_t strides[2] = {stride.h, stride.w}, dil[2] = {dilation.h, dilation.w};
  const int64_t pads[2] = {padding.size.h, padding.size.w};
  int64_t out[2];
  for (int d = 0; d < 2; ++d) {
    const int64_t span = dil[d] * (kernel[d] - 1) + 1;  // the dilated kernel's extent
    int64_t total = 2 * pads[d];
    if (padding.mode == Padding2d::Mode::valid) total = 0;
    if (padding.mode == Padding2d::Mode::same) total = span - 1;  // extra at the bottom/right
    g.padding[d] = padding.mode == Padding2d::Mode::explicit_size ? pads[d] : total / 2;
    NABLA_CHECK(span <= sizes[d] + total, "conv2d: kernel of size (", kernel[0], ", ", kernel[1],
                ") with dilation (", dil[0], ", ", dil[1], ") spans ", span,
                " but the padded input of shape ", x.shape(), " is only ", sizes[d] + total,
                " along ", d == 0 ? "H" : "W", "; use a smaller kernel or more padding");
    out[d] = (sizes[d] + total - span) / strides[d] + 1;
  }
  g.out_shape = {x.size(0), weight.size(0), out[0], out[1]};
  return g;
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias, Size2 stride,
              Padding2d padding, Size2 dilation, int64_t groups) {
  check_conv_args(x, weight, bias, stride, padding, dilation, groups);
  const Geometry geometry = conv_geometry(x, weight, stride, padding, dilation);
  // Backward keeps only this geometry, not the forward's views (they would be stale).
  Conv2dArgs shape_args;
  shape_args.stride = {stride.h, stride.w};
  shape_args.padding = geometry.padding;
  shape_args.dilation = {dilation.h, dilation.w};
  shape_args.groups = groups;
  Conv2dArgs args = shape_args;
  Backend& backend = dispatch(OpId::conv2d, x.device(), x.dtype());
  const Tensor xc = x.detach().contiguous(), wc = weight.detach().contiguous();
  const Tensor bc = bias.defined() ? bias.detach().contiguous() : Tensor();
  Tensor y = make_tensor(geometry.out_shape, x.dtype(), x.device());
  args.x = view_of(xc);
  args.weight = view_of(wc);
  args.bias = view_of(bc);
  args.y = view_of(y);
  backend.conv2d(OpId::conv2d, args);

  std::vector<Tensor> inputs{x, weight};
  if (bias.defined()) inputs.push_back(bias);
  autograd::record("conv2d", inputs, y,
                   [sx = SavedTensor(xc, "conv2d"), sw = SavedTensor(wc, "conv2d"),
                    args = shape_args,
                    has_bias = bias.defined()](const Tensor& g, const GradMask& needs) {
                     const Tensor x = sx.get(), w = sw.get(), dy = g.contiguous();
                     Backend& backend = dispatch(OpId::conv2d_input_grad, x.device(), x.dtype());
                     Grads grads(has_bias ? 3 : 2);
                     Conv2dArgs a = args;
                     a.y = view_of(dy);
                     if (needs[0]) {
                       grads[0] = make_tensor(x.shape(), x.dtype(), x.device());
                       a.x = view_of(grads[0]);
                       a.weight = view_of(w);
                       backend.conv2d(OpId::conv2d_input_grad, a);
                     }
                     const bool bias_grad = has_bias && needs[2];
                     if (needs[1] || bias_grad) {
                       // The kernel always writes dW; it is dropped when only db was asked for.
                       grads[1] = make_tensor(w.shape(), w.dtype(), w.device());
                       if (bias_grad) grads[2] = make_tensor({w.size(0)}, w.dtype(), w.device());
                       a.x = view_of(x);
                       a.weight = view_of(grads[1]);
                       a.bias = bias_grad ? view_of(grads[2]) : View{};
                       backend.conv2d(OpId::conv2d_weight_grad, a);
                       if (!needs[1]) grads[1] = Tensor();
                     }
                     return grads;
                   });
  return y;
}

}  // namespace nabla::nn::functional
