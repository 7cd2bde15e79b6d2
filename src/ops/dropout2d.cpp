// dropout2d (channel dropout, Tompson et al.): each (sample, channel) plane is kept with
// probability 1 − p and scaled by 1/(1 − p) (inverted dropout, so eval is the identity). The
// mask comes from the global generator, so a seed replays it.
#include "nabla/nn/functional/norm.hpp"
#include "nn/dropout_mask.hpp"

namespace nabla::nn::functional {

Tensor dropout2d(const Tensor& x, double p, bool training) {
  check_dropout_probability("dropout2d", p);
  NABLA_CHECK(x.dim() == 3 || x.dim() == 4,
              "dropout2d: expected a 4-D [N, C, H, W] or 3-D [N, C, L] input, got shape ",
              x.shape());
  // One draw per (sample, channel): [N, C, 1, 1], or [N, C, 1] for 3-D input, which torch 1.13
  // reads as (N, C, L) (channel-wise 1-D dropout), not as an unbatched (C, H, W).
  Shape mask_shape(x.shape().begin(), x.shape().begin() + 2);
  mask_shape.resize(x.shape().size(), 1);
  return apply_dropout("dropout2d", x, p, training, mask_shape);
}

}  // namespace nabla::nn::functional
