// Conv2d (torch.nn.Conv2d): y = conv2d(x, weight, bias, stride, padding, dilation, groups),
// weight [out_channels, in_channels / groups, kH, kW], bias [out_channels]. PyTorch's default
// init: weight kaiming_uniform_(a = √5), i.e. U(−1/√fan_in, 1/√fan_in), and bias
// U(−1/√fan_in, 1/√fan_in), fan_in = in_channels / groups · kH · kW. Prints as torch:
//   Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
//
//   auto conv = std::make_shared<nn::Conv2d>(3, 16, 3, /*stride=*/1, /*padding=*/"same");
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/functional/conv.hpp"
#include "nabla/nn/module.hpp"

namespace nabla::nn {

using functional::Padding2d;
using functional::Size2;

struct Conv2dOptions {
  int64_t in_channels = 0;
  int64_t out_channels = 0;
  Size2 kernel_size = 1;
  Size2 stride = 1;
  Padding2d padding = 0;
  Size2 dilation = 1;
  int64_t groups = 1;
  bool bias = true;
  DType dtype = DType::f32;
};

class Conv2d : public Module {
 public:
  explicit Conv2d(const Conv2dOptions& options);
  Conv2d(int64_t in_channels, int64_t out_channels, Size2 kernel_size, Size2 stride = 1,
         Padding2d padding = 0, Size2 dilation = 1, int64_t groups = 1, bool bias = true);
  Tensor forward(const Tensor& x) override;
  void reset_parameters();
  const Conv2dOptions& options() const { return options_; }
  // Each output element takes in_channels / groups · kH · kW multiply-adds.
  int64_t multiply_adds(const Shape& input, const Shape& output) const override;

  Tensor weight, bias;  // bias undefined when options.bias is false

 protected:
  std::string extra_repr() const override;

 private:
  Conv2dOptions options_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
