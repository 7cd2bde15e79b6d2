// Pooling modules (torch.nn.MaxPool2d, AvgPool2d, AdaptiveAvgPool2d) over nn::functional's
// kernels; no parameters. stride defaults to kernel_size. Printed as torch prints them:
//   MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
#pragma once
#pragma GCC visibility push(default)

#include <optional>

#include "nabla/nn/functional/pool.hpp"
#include "nabla/nn/module.hpp"

namespace nabla::nn {

using functional::Size2;

class MaxPool2d : public Module {
 public:
  explicit MaxPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0, Size2 dilation = 1, bool ceil_mode = false);
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  Size2 kernel_size_, stride_, padding_, dilation_;
  bool ceil_mode_;
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0, bool ceil_mode = false, bool count_include_pad = true,
                     std::optional<int64_t> divisor_override = std::nullopt);
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  Size2 kernel_size_, stride_, padding_;
  bool ceil_mode_, count_include_pad_;
  std::optional<int64_t> divisor_override_;
};

// output_size (1, 1) is global average pooling (ResNet's head).
class AdaptiveAvgPool2d : public Module {
 public:
  explicit AdaptiveAvgPool2d(Size2 output_size);
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  Size2 output_size_;
};

// "2" when both sides agree, else "(2, 3)": how torch prints an int-or-tuple argument given
// as an int (nabla does not remember which form the caller used).
std::string size2_repr(Size2 size);

}  // namespace nabla::nn

#pragma GCC visibility pop
