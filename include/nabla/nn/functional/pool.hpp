// 2-D pooling as torch.nn.functional (src/ops/pool.cpp). Input [N, C, H, W] or [C, H, W].
//   H_out = ⌊(H + 2p − d(k − 1) − 1 + (ceil_mode ? s − 1 : 0)) / s⌋ + 1, minus one when
//   ceil_mode would start the last window inside the right padding (torch's rule).
// padding must be at most half the kernel. stride defaults to the kernel size.
//   max_pool2d: window maximum; the backward routes the gradient to the (first) argmax.
//   avg_pool2d: window mean; count_include_pad counts padding zeros in the divisor,
//               divisor_override replaces the divisor.
//   adaptive_avg_pool2d: output_size windows [⌊i·H/OH⌋, ⌈(i+1)·H/OH⌉); (1, 1) is global pooling.
#pragma once
#pragma GCC visibility push(default)

#include <optional>

#include "nabla/nn/functional/conv.hpp"

namespace nabla::nn::functional {

// Every argument by name, torch's keywords:
//   F::max_pool2d(x, {.kernel_size = 3, .stride = 2, .padding = 1, .ceil_mode = true})
//   F::avg_pool2d(x, {.kernel_size = 2, .count_include_pad = false})
struct MaxPool2dOptions {
  Size2 kernel_size;
  std::optional<Size2> stride = std::nullopt;  // the kernel size
  Size2 padding = 0;
  Size2 dilation = 1;
  bool ceil_mode = false;
};
struct AvgPool2dOptions {
  Size2 kernel_size;
  std::optional<Size2> stride = std::nullopt;  // the kernel size
  Size2 padding = 0;
  bool ceil_mode = false;
  bool count_include_pad = true;
  std::optional<int64_t> divisor_override = std::nullopt;
};
Tensor max_pool2d(const Tensor& x, const MaxPool2dOptions& options);
Tensor avg_pool2d(const Tensor& x, const AvgPool2dOptions& options);
// The short positional call, F.max_pool2d(x, 2) or F.max_pool2d(x, 3, 2, 1); the rest at its
// default. (A braced pair alone, max_pool2d(x, {3, 2}), is ambiguous on purpose: write
// Size2{3, 2} for a 3x2 window or {.kernel_size = 3, .stride = 2}.)
Tensor max_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                  Size2 padding = 0);
Tensor avg_pool2d(const Tensor& x, Size2 kernel_size, std::optional<Size2> stride = std::nullopt,
                  Size2 padding = 0);
Tensor adaptive_avg_pool2d(const Tensor& x, Size2 output_size);

// The pooled size of one dim under torch's rule; an Error naming `op` when it is below 1.
int64_t pooled_size(int64_t in, int64_t kernel, int64_t stride, int64_t padding, int64_t dilation,
                    bool ceil_mode, const char* op);

}  // namespace nabla::nn::functional

#pragma GCC visibility pop
