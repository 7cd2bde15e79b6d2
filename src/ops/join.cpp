// cat and stack. The output is allocated once and each input copied into its slice.
//   cat    dx_i = g.narrow(dim, offset_i, size_i)
//   stack  = cat of inputs unsqueezed at dim (its backward follows)
#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

Tensor cat(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), "cat: needs at least one tensor");
  const Tensor& first = tensors.front();
  NABLA_CHECK(first.dim() > 0, "cat: zero-dimensional tensors cannot be concatenated; use stack");
  const int64_t d = wrap_dim(dim, first.shape(), "cat");
  Shape shape = first.shape();
  shape[d] = 0;
  DType dtype = first.dtype();
  for (size_t i = 0; i < tensors.size(); ++i) {
    const Tensor& t = tensors[i];
    NABLA_CHECK(t.dim() == first.dim(), "cat: tensor ", i, " has shape ", t.shape(),
                ", tensor 0 has ", first.shape(), "; all need the same number of dims");
    for (int64_t j = 0; j < t.dim(); ++j)
      NABLA_CHECK(j == d || t.shape()[j] == first.shape()[j], "cat: tensor ", i, " has shape ",
                  t.shape(), ", tensor 0 has ", first.shape(), "; sizes must match except in dim ", d);
    shape[d] += t.shape()[d];
    dtype = promote_types(dtype, t.dtype(), "cat");
  }
  Tensor out = make_tensor(shape, dtype, first.device());
  Backend& backend = dispatch(OpId::copy, first.device(), dtype);
  std::vector<int64_t> sizes;
  int64_t offset = 0;
  for (const Tensor& t : tensors) {
    const Tensor part = out.detach().narrow(d, offset, t.shape()[d]);
    backend.copy(view_of(part), view_of(t));
    sizes.push_back(t.shape()[d]);
    offset += t.shape()[d];
  }
  autograd::record("cat", tensors, out, [d, sizes](const Tensor& g, const GradMask& needs) {
    Grads grads;
    int64_t at = 0;
    for (size_t i = 0; i < sizes.size(); ++i) {
      grads.push_back(needs[i] ? g.narrow(d, at, sizes[i]) : Tensor());
      at += sizes[i];
    }
    return grads;
  });
  return out;
}

Tensor stack(const std::vector<Tensor>& tensors, int64_t dim) {
  NABLA_CHECK(!tensors.empty(), "stack: needs at least one tensor");
  const int64_t d = wrap_dim(dim, tensors.front().dim() + 1, "stack");
  std::vector<Tensor> parts;
  for (size_t i = 0; i < tensors.size(); ++i) {
    NABLA_CHECK(tensors[i].shape() == tensors.front().shape(), "stack: tensor ", i, " has shape ",
                tensors[i].shape(), ", tensor 0 has ", tensors.front().shape(),
                "; stack needs equal shapes");
    parts.push_back(tensors[i].unsqueeze(d));
  }
  return cat(parts, d);
}

}  // namespace nabla
