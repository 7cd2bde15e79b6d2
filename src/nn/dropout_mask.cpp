#include "nn/dropout_mask.hpp"

#include "nabla/ops.hpp"
#include "ops/op_helpers.hpp"

namespace nabla::nn {

void check_dropout_probability(const char* op, double p) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, op, ": dropout probability p must be in [0, 1], got ", p);
}

Tensor dropout_mask(const Shape& mask_shape, double p, const Tensor& like) {
  const Tensor mask = rand(mask_shape, {.dtype = like.dtype(), .device = like.device()});
  // The uniform draw is overwritten by its 0/1 keep mask and then scaled in place, so besides
  // the mask only the bool comparison is ever alive.
  mask.copy_(lt(mask, ops::scalar_like(1.0 - p, mask)));
  mask.mul_(1.0 / (1.0 - p));
  return mask;
}

Tensor apply_dropout(const char* op, const Tensor& x, double p, bool training,
                     const Shape& mask_shape) {
  check_dropout_probability(op, p);
  if (!training || p == 0.0) return x;
  if (p == 1.0) return x * 0.0;  // torch: everything dropped, the graph kept
  return x * dropout_mask(mask_shape, p, x);
}

}  // namespace nabla::nn
