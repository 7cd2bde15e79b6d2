#include "nabla/nn/pool.hpp"

#include "nn/repr.hpp"

namespace nabla::nn {

std::string size2_repr(Size2 size) { return functional::Padding2d(size).repr(); }

namespace {
template <class Options>
Options with_stride(Options options) {
  options.stride = options.stride.value_or(options.kernel_size);
  return options;
}
}  // namespace

MaxPool2d::MaxPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding)
    : MaxPool2d(functional::MaxPool2dOptions{.kernel_size = kernel_size, .stride = stride,
                                             .padding = padding}) {}

MaxPool2d::MaxPool2d(const functional::MaxPool2dOptions& options)
    : Module("MaxPool2d"), options_(with_stride(options)) {}

Tensor MaxPool2d::forward(const Tensor& x) { return functional::max_pool2d(x, options_); }

std::string MaxPool2d::extra_repr() const {
  return "kernel_size=" + size2_repr(options_.kernel_size) + ", stride=" +
         size2_repr(*options_.stride) + ", padding=" + size2_repr(options_.padding) +
         ", dilation=" + size2_repr(options_.dilation) + ", ceil_mode=" + py_bool(options_.ceil_mode);
}

AvgPool2d::AvgPool2d(Size2 kernel_size, std::optional<Size2> stride, Size2 padding)
    : AvgPool2d(functional::AvgPool2dOptions{.kernel_size = kernel_size, .stride = stride,
                                             .padding = padding}) {}

AvgPool2d::AvgPool2d(const functional::AvgPool2dOptions& options)
    : Module("AvgPool2d"), options_(with_stride(options)) {}

Tensor AvgPool2d::forward(const Tensor& x) { return functional::avg_pool2d(x, options_); }

std::string AvgPool2d::extra_repr() const {
  return "kernel_size=" + size2_repr(options_.kernel_size) + ", stride=" +
         size2_repr(*options_.stride) + ", padding=" + size2_repr(options_.padding);
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
