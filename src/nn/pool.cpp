#include "nabla/nn/pool.hpp"

#include "nn/repr.hpp"

namespace nabla::nn {

std::string size2_repr(Size2 size) { return functional::Padding2d(size).repr(); }

MaxPool2d::MaxPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding,
                     Size2 dilation, bool ceil_mode)
    : Module("MaxPool2d"), kernel_size_(kernel_size), stride_(stride.value_or(kernel_size)),
      padding_(padding), dilation_(dilation), ceil_mode_(ceil_mode) {}

Tensor MaxPool2d::forward(const Tensor& x) {
  return functional::max_pool2d(x, kernel_size_, stride_, padding_, dilation_, ceil_mode_);
}

std::string MaxPool2d::extra_repr() const {
  return "kernel_size=" + size2_repr(kernel_size_) + ", stride=" + size2_repr(stride_) +
         ", padding=" + size2_repr(padding_) + ", dilation=" + size2_repr(dilation_) +
         ", ceil_mode=" + py_bool(ceil_mode_);
}

AvgPool2d::AvgPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding,
                     bool ceil_mode, bool count_include_pad,
                     std::optional<int64_t> divisor_override)
    : Module("AvgPool2d"), kernel_size_(kernel_size), stride_(stride.value_or(kernel_size)),
      padding_(padding), ceil_mode_(ceil_mode), count_include_pad_(count_include_pad),
      divisor_override_(divisor_override) {}

Tensor AvgPool2d::forward(const Tensor& x) {
  return functional::avg_pool2d(x, kernel_size_, stride_, padding_, ceil_mode_,
                                count_include_pad_, divisor_override_);
}

std::string AvgPool2d::extra_repr() const {
  return "kernel_size=" + size2_repr(kernel_size_) + ", stride=" + size2_repr(stride_) +
         ", padding=" + size2_repr(padding_);
}

AdaptiveAvgPool2d::AdaptiveAvgPool2d(Size2 output_size)
    : Module("AdaptiveAvgPool2d"), output_size_(output_size) {}

Tensor AdaptiveAvgPool2d::forward(const Tensor& x) {
  return functional::adaptive_avg_pool2d(x, output_size_);
}

std::string AdaptiveAvgPool2d::extra_repr() const {
  return "output_size=" + pair_repr(output_size_);
}

}  // namespace nabla::nn
