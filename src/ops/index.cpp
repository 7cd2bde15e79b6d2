// Integer indexing along a dim, and the scatter-adds that undo it in the backward.
//   index_select  y[.., j, ..] = x[.., index[j], ..]     dx = zeros.index_add(dim, index, g)
//   gather        y[p] = x[p with p[dim] = index[p]]     dx = zeros.scatter_add(dim, index, g)
#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

Tensor index_select(const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t d = wrap_dim(dim, x.shape(), "index_select");
  NABLA_CHECK(index.dtype() == DType::i64 && index.dim() <= 1, "index_select: index must be a "
              "1-D int64 tensor, got ", index.dtype(), " of shape ", index.shape());
  const Tensor flat_index = index.reshape({-1});
  Shape shape = x.shape();
  if (x.dim() > 0) shape[d] = flat_index.numel();
  Backend& backend = dispatch(OpId::index_select, x.device(), x.dtype());
  Tensor out = make_tensor(shape, x.dtype(), x.device());
  const Tensor xv = x.dim() > 0 ? x : x.reshape({1});
  backend.index(OpId::index_select, view_of(out.dim() > 0 ? out : out.reshape({1})), view_of(xv), d,
                view_of(flat_index));
  autograd::record("index_select", {x}, out,
                   [shape = x.shape(), d, saved = SavedTensor(flat_index, "index_select")](
                       const Tensor& g, const GradMask&) {
                     if (shape.empty()) return Grads{g.reshape({})};
                     return Grads{index_add_into(shape, d, saved.get(), g)};
                   });
  return out;
}

Tensor gather(const Tensor& x, int64_t dim, const Tensor& index) {
  const int64_t d = wrap_dim(dim, x.shape(), "gather");
  NABLA_CHECK(index.dtype() == DType::i64, "gather: index must be int64, got ", index.dtype());
  NABLA_CHECK(index.dim() == x.dim(), "gather: index of shape ", index.shape(),
              " needs as many dims as the input's ", x.shape());
  for (int64_t j = 0; j < x.dim(); ++j)
    NABLA_CHECK(j == d || index.shape()[j] <= x.shape()[j], "gather: index of shape ",
                index.shape(), " is larger than the input's ", x.shape(), " in dim ", j);
  Backend& backend = dispatch(OpId::gather, x.device(), x.dtype());
  Tensor out = make_tensor(index.shape(), x.dtype(), x.device());
  backend.index(OpId::gather, view_of(out), view_of(x), d, view_of(index));
  autograd::record("gather", {x}, out,
                   [shape = x.shape(), d, saved = SavedTensor(index, "gather")](
                       const Tensor& g, const GradMask&) {
                     return Grads{scatter_add_into(shape, d, saved.get(), g)};
                   });
  return out;
}

}  // namespace nabla
