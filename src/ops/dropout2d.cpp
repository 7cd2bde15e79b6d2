// dropout2d (channel dropout, Tompson et al.): each (sample, channel) plane is kept with
// probability 1 − p and scaled by 1/(1 − p) (inverted dropout, so eval is the identity). The
// mask comes from the global generator, so a seed replays it.
#include "nabla/nn/functional/norm.hpp"
#include "nabla/ops.hpp"

namespace nabla::nn::functional {

Tensor dropout2d(const Tensor& x, double p, bool training) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, "dropout2d: p must be in [0, 1], got ", p);
  NABLA_CHECK(x.dim() == 3 || x.dim() == 4,
              "dropout2d: expected a 4-D [N, C, H, W] or 3-D [C, H, W] input, got shape ",
              x.shape());
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0.0;
  Shape mask_shape(x.shape().begin(), x.shape().end() - 2);  // one draw per plane
  mask_shape.push_back(1);
  mask_shape.push_back(1);
  const Tensor keep = lt(rand(mask_shape, {.dtype = x.dtype(), .device = x.device()}),
                         full({}, 1.0 - p, {.dtype = x.dtype(), .device = x.device()}));
  const Tensor scale =
      where(keep, full({}, 1.0 / (1.0 - p), {.dtype = x.dtype(), .device = x.device()}),
            zeros({}, {.dtype = x.dtype(), .device = x.device()}));
  return x * scale;
}

}  // namespace nabla::nn::functional
