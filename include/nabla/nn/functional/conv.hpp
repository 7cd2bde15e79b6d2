// torch.nn.functional.conv2d (src/ops/conv.cpp).
//   y[n, o, i, j] = b[o] + Σ_{c in o's group, p, q} W[o, c, p, q] ·
//                   x[n, c, i·sH − pH + p·dH, j·sW − pW + q·dW]      (zero outside the input)
//   x [N, C_in, H, W], W [C_out, C_in / groups, kH, kW], b [C_out]
//   H_out = ⌊(H + 2pH − dH(kH − 1) − 1) / sH⌋ + 1, likewise W_out.
// padding is a number, a (pH, pW) pair, "valid" (no padding) or "same" (stride 1 only; the
// output keeps H and W; an odd total padding puts the extra row/column at the bottom/right, as
// torch does). groups = C_in with C_out = k · C_in is a depthwise convolution.
//
//   auto y = nn::functional::conv2d(x, w, b, /*stride=*/1, /*padding=*/"same");
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <string>

#include "nabla/tensor.hpp"

namespace nabla::nn::functional {

// A (height, width) pair; a single number means both, as torch's int-or-tuple arguments.
struct Size2 {
  int64_t h = 0, w = 0;
  Size2(int64_t both) : h(both), w(both) {}  // NOLINT: implicit on purpose
  Size2(int64_t height, int64_t width) : h(height), w(width) {}
};

struct Padding2d {
  enum class Mode { explicit_size, same, valid };
  Mode mode = Mode::explicit_size;
  Size2 size = 0;
  Padding2d(int64_t both) : size(both) {}  // NOLINT
  Padding2d(int both) : size(both) {}      // NOLINT: a literal 0 is not a char*
  Padding2d(int64_t height, int64_t width) : size(height, width) {}
  Padding2d(Size2 hw) : size(hw) {}                                // NOLINT
  Padding2d(const char* name);                                     // NOLINT: "same" or "valid"
  Padding2d(const std::string& name) : Padding2d(name.c_str()) {}  // NOLINT
  std::string repr() const;  // "1", "(1, 2)", "same" as torch prints it
};

Tensor conv2d(const Tensor& x, const Tensor& weight, const Tensor& bias = {}, Size2 stride = 1,
              Padding2d padding = 0, Size2 dilation = 1, int64_t groups = 1);

}  // namespace nabla::nn::functional

#pragma GCC visibility pop
