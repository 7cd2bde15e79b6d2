// softmax and log_softmax along a dim: one fused kernel each way (see the cpu kernel's header
// for the formulas); the backward needs only the forward's output.
#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

namespace {
Tensor softmax_like(OpId op, OpId backward_op, const Tensor& x, int64_t dim) {
  const int64_t d = wrap_dim(dim, x.shape(), op_name(op));
  const Tensor input = x.dim() == 0 ? x.reshape({1}) : x.contiguous();
  Backend& backend = dispatch(op, x.device(), x.dtype());
  Tensor out = make_tensor(input.shape(), x.dtype(), x.device());
  backend.softmax(op, view_of(out), view_of(input), d);
  out = out.reshape(x.shape());
  autograd::record(op_name(op), {x}, out,
                   [saved = SavedTensor(out, op_name(op)), d, backward_op](const Tensor& g,
                                                                           const GradMask&) {
                     const Tensor y = saved.get();
                     const Tensor yv = y.dim() == 0 ? y.reshape({1}) : y;
                     const Tensor gv = (g.dim() == 0 ? g.reshape({1}) : g).contiguous();
                     Tensor dx = make_tensor(yv.shape(), y.dtype(), y.device());
                     dispatch(backward_op, y.device(), y.dtype())
                         .softmax_backward(backward_op, view_of(dx), view_of(gv), view_of(yv), d);
                     return Grads{dx.reshape(y.shape())};
                   });
  return out;
}
}  // namespace

Tensor softmax(const Tensor& x, int64_t dim) {
  return softmax_like(OpId::softmax, OpId::softmax_backward, x, dim);
}

Tensor log_softmax(const Tensor& x, int64_t dim) {
  return softmax_like(OpId::log_softmax, OpId::log_softmax_backward, x, dim);
}

}  // namespace nabla
