#include "nabla/nn/conv.hpp"

#include <sstream>

#include "nabla/nn/init.hpp"
#include "nabla/nn/pool.hpp"
#include "nn/repr.hpp"

namespace nabla::nn {

Conv2d::Conv2d(const Conv2dOptions& options) : Module("Conv2d"), options_(options) {
  const auto& o = options;
  NABLA_CHECK(o.in_channels > 0 && o.out_channels > 0 && o.groups > 0, "Conv2d: in_channels (",
              o.in_channels, "), out_channels (", o.out_channels, ") and groups (", o.groups,
              ") must be positive");
  NABLA_CHECK(o.in_channels % o.groups == 0 && o.out_channels % o.groups == 0,
              "Conv2d: groups = ", o.groups, " must divide in_channels (", o.in_channels,
              ") and out_channels (", o.out_channels, ")");
  NABLA_CHECK(o.kernel_size.h > 0 && o.kernel_size.w > 0, "Conv2d: kernel_size ",
              pair_repr(o.kernel_size), " must be positive");
  weight = register_parameter(
      "weight", empty({o.out_channels, o.in_channels / o.groups, o.kernel_size.h, o.kernel_size.w},
                      {.dtype = o.dtype}));
  if (o.bias) bias = register_parameter("bias", empty({o.out_channels}, {.dtype = o.dtype}));
  reset_parameters();
}

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride,
               Padding2d padding, Size2 dilation, int64_t groups, bool bias)
    : Conv2d(Conv2dOptions{.in_channels = in_channels,
                           .out_channels = out_channels,
                           .kernel_size = kernel_size,
                           .stride = stride,
                           .padding = padding,
                           .dilation = dilation,
                           .groups = groups,
                           .bias = bias}) {}

// torch's _ConvNd.reset_parameters is nn.Linear's, with fan_in = in/groups · kh · kw.
void Conv2d::reset_parameters() { init::linear_default_(weight, bias); }

Tensor Conv2d::forward(const Tensor& x) {
  const auto& o = options_;
  return functional::conv2d(x, weight, bias, o.stride, o.padding, o.dilation, o.groups);
}

int64_t Conv2d::multiply_adds(const Shape& /*input*/, const Shape& output) const {
  return shape_numel(output) * (options_.in_channels / options_.groups) * options_.kernel_size.h *
         options_.kernel_size.w;
}

std::string Conv2d::extra_repr() const {
  // torch: "{in}, {out}, kernel_size=..., stride=..." then only the non-default fields.
  const auto& o = options_;
  std::ostringstream out;
  out << o.in_channels << ", " << o.out_channels << ", kernel_size=" << pair_repr(o.kernel_size)
      << ", stride=" << pair_repr(o.stride);
  if (o.padding.mode != Padding2d::Mode::explicit_size)
    out << ", padding=" << o.padding.repr();
  else if (o.padding.size.h != 0 || o.padding.size.w != 0)
    out << ", padding=" << pair_repr(o.padding.size);
  if (o.dilation.h != 1 || o.dilation.w != 1) out << ", dilation=" << pair_repr(o.dilation);
  if (o.groups != 1) out << ", groups=" << o.groups;
  if (!o.bias) out << ", bias=False";
  return out.str();
}

}  // namespace nabla::nn
