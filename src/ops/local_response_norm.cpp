// local_response_norm, composed as torch composes it: the windowed mean of x² over channels is
// an average pooling of x² seen as a one-channel [N, 1, C, H·W] image with a (size, 1) kernel,
// zero-padded size/2 channels before and (size − 1)/2 after (divisor always `size`).
//   y = x / (k + α · mean_window(x²))^β
// Every step is a differentiable op, so the gradient needs no code of its own.
#include "nabla/nn/functional/norm.hpp"
#include "nabla/nn/functional/pool.hpp"
#include "nabla/ops.hpp"

namespace nabla::nn::functional {

Tensor local_response_norm(const Tensor& x, int64_t size, double alpha, double beta, double k) {
  NABLA_CHECK(x.dim() >= 3,
              "local_response_norm: expected an input of 3 or more dims [N, C, ...], got shape ",
              x.shape());
  NABLA_CHECK(size >= 1, "local_response_norm: size must be positive, got ", size);
  const int64_t n = x.size(0), c = x.size(1);
  const Tensor squares = (x * x).reshape({n, 1, c, -1});
  // Symmetric padding size/2 yields C + 1 windows for an even size; the first C are torch's.
  const Tensor window_mean =
      avg_pool2d(squares, {size, 1}, Size2{1, 1}, {size / 2, 0}).narrow(2, 0, c).reshape(x.shape());
  return x / pow(window_mean * alpha + k, beta);
}

}  // namespace nabla::nn::functional
