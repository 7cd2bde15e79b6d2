// Comparisons (bool results, no gradient), where, and the whole-tensor tests.
//   where(c, a, b) = c ? a : b     da = where(c, g, 0)    db = where(c, 0, g)
#include <algorithm>

#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

Tensor eq(const Tensor& a, const Tensor& b) { return run_binary(OpId::eq, a, b); }
Tensor ne(const Tensor& a, const Tensor& b) { return run_binary(OpId::ne, a, b); }
Tensor lt(const Tensor& a, const Tensor& b) { return run_binary(OpId::lt, a, b); }
Tensor le(const Tensor& a, const Tensor& b) { return run_binary(OpId::le, a, b); }
Tensor gt(const Tensor& a, const Tensor& b) { return run_binary(OpId::gt, a, b); }
Tensor ge(const Tensor& a, const Tensor& b) { return run_binary(OpId::ge, a, b); }

Tensor where(const Tensor& condition, const Tensor& a, const Tensor& b) {
  NABLA_CHECK(condition.dtype() == DType::b8, "where: condition must be bool, got ",
              condition.dtype(), "; build it with a comparison such as gt(x, y)");
  const DType dtype = promote(a, b, "where");
  const Shape shape = broadcast_shapes(broadcast_shapes(condition.shape(), a.shape(), "where"),
                                       b.shape(), "where");
  Backend& backend = dispatch(OpId::where, a.device(), dtype);
  Tensor out = make_tensor(shape, dtype, a.device());
  backend.where(view_of(out), view_of(condition.expand(shape)),
                view_of(a.detach().to(dtype).expand(shape)), view_of(b.detach().to(dtype).expand(shape)));
  autograd::record("where", {a, b}, out,
                   [c = SavedTensor(condition, "where"), sa = a.shape(), sb = b.shape()](
                       const Tensor& g, const GradMask& needs) {
                     const Tensor zero = scalar_like(0.0, g);
                     const Tensor cond = c.get();
                     return Grads{needs[0] ? sum_to(where(cond, g, zero), sa) : Tensor(),
                                  needs[1] ? sum_to(where(cond, zero, g), sb) : Tensor()};
                   });
  return out;
}

bool allclose(const Tensor& a, const Tensor& b, double rtol, double atol) {
  autograd::NoGradGuard no_grad;
  const Tensor tolerance = abs(b) * rtol + atol;
  const Tensor close = le(abs(a - b), tolerance);
  const Tensor bad = where(close, scalar_like(0.0, tolerance), scalar_like(1.0, tolerance));
  return sum(bad).item() == 0.0;
}

bool equal(const Tensor& a, const Tensor& b) {
  if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
  const Tensor ha = a.to(Device::CPU).contiguous(), hb = b.to(Device::CPU).contiguous();
  const size_t bytes = ha.numel() * dtype_size(ha.dtype());
  const auto* pa = static_cast<const unsigned char*>(ha.data_ptr());
  const auto* pb = static_cast<const unsigned char*>(hb.data_ptr());
  return std::equal(pa, pa + bytes, pb);
}

}  // namespace nabla
