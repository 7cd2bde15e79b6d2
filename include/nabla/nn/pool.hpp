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
                     Size2 padding = 0);
  explicit MaxPool2d(const functional::MaxPool2dOptions& options);  // every argument by name
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  functional::MaxPool2dOptions options_;  // stride filled in
};

class AvgPool2d : public Module {
 public:
  explicit AvgPool2d(Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                     Size2 padding = 0);
  explicit AvgPool2d(const functional::AvgPool2dOptions& options);  // every argument by name
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  functional::AvgPool2dOptions options_;  // stride filled in
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
