// Reductions over dims, keepdim as torch.
//   sum      y = Σ x            dx = g broadcast back over the reduced dims
//   mean     y = Σ x / n        dx = g / n (through sum)
//   max/min  over all elements: dx = g split evenly among the elements equal to y (torch)
//            along a dim: dx = g at the index that won, 0 elsewhere
//   argmax/argmin: int64 indices, no gradient
#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

namespace {
// g (reduced shape, keepdim or not) back to x's shape as a broadcast view.
Tensor expand_back(const Tensor& g, const Shape& x_shape, const std::vector<int64_t>& dims) {
  return g.reshape(reduced_shape(x_shape, dims, true)).expand(x_shape);
}

Tensor finish_reduction(Tensor out, const Shape& x_shape, const std::vector<int64_t>& dims,
                        bool keepdim) {
  return keepdim ? out : out.detach().reshape(reduced_shape(x_shape, dims, false));
}
}  // namespace

Tensor sum(const Tensor& x, const Dims& dims, bool keepdim) {
  const std::vector<int64_t> d = normalize_dims(dims, x.shape(), "sum");
  Tensor out = finish_reduction(run_reduce(OpId::sum, x, d, x.dtype()), x.shape(), d, keepdim);
  autograd::record("sum", {x}, out, [shape = x.shape(), d](const Tensor& g, const GradMask&) {
    return Grads{expand_back(g, shape, d)};
  });
  return out;
}

Tensor mean(const Tensor& x, const Dims& dims, bool keepdim) {
  const std::vector<int64_t> d = normalize_dims(dims, x.shape(), "mean");
  int64_t count = 1;
  for (int64_t dim : d) count *= x.shape()[dim];
  NABLA_CHECK(count > 0, "mean: reducing ", x.shape(), " over an empty dim has no mean");
  return sum(x, dims, keepdim) / static_cast<double>(count);
}

Tensor sum_to(const Tensor& x, const Shape& shape) {
  if (x.shape() == shape) return x;
  const int64_t lead = x.dim() - static_cast<int64_t>(shape.size());
  NABLA_CHECK(lead >= 0, "sum_to: cannot sum ", x.shape(), " to the larger rank of ", shape);
  std::vector<int64_t> dims;
  for (int64_t d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) dims.push_back(d);
    else NABLA_CHECK(shape[d - lead] == x.shape()[d], "sum_to: ", x.shape(),
                     " does not broadcast from ", shape);
  Tensor out = dims.empty() ? x : sum(x, Dims(dims), true);
  return out.reshape(shape);
}

namespace {
Tensor extremum_all(OpId op, const Tensor& x) {
  NABLA_CHECK(x.numel() > 0, op_name(op), "(): the tensor is empty; ", op_name(op),
              " of no elements is undefined (give a dim)");
  const std::vector<int64_t> d = normalize_dims({}, x.shape(), op_name(op));
  Tensor out = run_reduce(op, x, d, x.dtype()).reshape({});
  autograd::record(op_name(op), {x}, out,
                   [sx = SavedTensor(x, op_name(op)), so = SavedTensor(out, op_name(op))](
                       const Tensor& g, const GradMask&) {
                     const Tensor x = sx.get();
                     const Tensor winners = eq(x, so.get());
                     const Tensor zero = scalar_like(0.0, g);
                     const Tensor count = sum(where(winners, scalar_like(1.0, g), zero));
                     return Grads{where(winners, g / count, zero)};
                   });
  return out;
}

// `op` names the caller in errors: max / min, or argmax / argmin, which run on this too.
std::pair<Tensor, Tensor> extremum_dim(OpId value_op, OpId index_op, const Tensor& x,
                                       int64_t dim, bool keepdim, const char* op) {
  const int64_t d = wrap_dim(dim, x.shape(), op);
  NABLA_CHECK(x.dim() == 0 || x.shape()[d] > 0, op, ": dim ", d, " of ", x.shape(), " is empty");
  const std::vector<int64_t> dims = x.dim() == 0 ? std::vector<int64_t>{} : std::vector{d};
  Tensor values = run_reduce(value_op, x, dims, x.dtype());
  Tensor indices = run_reduce(index_op, x, dims, DType::i64);
  const SavedTensor saved_indices(indices, op_name(value_op));
  values = finish_reduction(values, x.shape(), dims, keepdim);
  indices = finish_reduction(indices, x.shape(), dims, keepdim);
  autograd::record(op_name(value_op), {x}, values,
                   [shape = x.shape(), dims, d, saved_indices](const Tensor& g, const GradMask&) {
                     const Tensor gk = g.reshape(reduced_shape(shape, dims, true));
                     if (shape.empty()) return Grads{gk.reshape({})};
                     return Grads{scatter_add_into(shape, d, saved_indices.get(), gk)};
                   });
  return {values, indices};
}

Tensor arg_extremum(OpId op, const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  if (dim)
    return extremum_dim(op == OpId::argmax ? OpId::max : OpId::min, op, x, *dim, keepdim,
                        op_name(op))
        .second;
  NABLA_CHECK(x.numel() > 0, op_name(op), ": the tensor is empty");
  return run_reduce(op, x.reshape({-1}), {0}, DType::i64).reshape({});  // index into the flat x
}
}  // namespace

Tensor max(const Tensor& x) { return extremum_all(OpId::max, x); }
Tensor min(const Tensor& x) { return extremum_all(OpId::min, x); }
std::pair<Tensor, Tensor> max(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dim(OpId::max, OpId::argmax, x, dim, keepdim, "max");
}
std::pair<Tensor, Tensor> min(const Tensor& x, int64_t dim, bool keepdim) {
  return extremum_dim(OpId::min, OpId::argmin, x, dim, keepdim, "min");
}
Tensor argmax(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extremum(OpId::argmax, x, dim, keepdim);
}
Tensor argmin(const Tensor& x, std::optional<int64_t> dim, bool keepdim) {
  return arg_extremum(OpId::argmin, x, dim, keepdim);
}

}  // namespace nabla
