#include "ops/op_helpers.hpp"

#include <algorithm>
#include <optional>

namespace nabla::ops {

namespace {
// The one promotion rule: equal dtypes stay, two floating ones meet in float64, else none.
std::optional<DType> promoted(DType a, DType b) {
  if (a == b) return a;
  if (is_floating(a) && is_floating(b)) return DType::f64;
  return std::nullopt;
}
}  // namespace

DType promote_types(DType a, DType b, const char* op) {
  const auto dtype = promoted(a, b);
  NABLA_CHECK(dtype, op, ": cannot combine ", a, " and ", b, " tensors; convert one with .to(DType)");
  return *dtype;
}

DType promote(const Tensor& a, const Tensor& b, const char* op) {
  const auto dtype = promoted(a.dtype(), b.dtype());
  NABLA_CHECK(dtype, op, ": cannot combine ", a.dtype(), " and ", b.dtype(), " tensors (shapes ",
              a.shape(), " and ", b.shape(), "); convert one with .to(DType)");
  return *dtype;
}

Tensor scalar_like(double value, const Tensor& like) {
  return full({}, value, {.dtype = like.dtype(), .device = like.device()});
}

Tensor run_unary(OpId op, const Tensor& x, const UnaryArgs& args) {
  Backend& backend = dispatch(op, x.device(), x.dtype());
  Tensor out = make_tensor(x.shape(), x.dtype(), x.device());
  backend.unary(op, view_of(out), view_of(x), args);
  return out;
}

Tensor run_binary(OpId op, const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.device() == b.device(), op_name(op), ": tensors on ", a.device(), " and ",
              b.device(), "; move one with .to(Device)");
  const DType dtype = promote(a, b, op_name(op));
  const Shape shape = broadcast_shapes(a.shape(), b.shape(), op_name(op));
  const bool comparison = op >= OpId::eq && op <= OpId::ge;
  Backend& backend = dispatch(op, a.device(), dtype);
  Tensor out = make_tensor(shape, comparison ? DType::b8 : dtype, a.device());
  const Tensor ea = a.detach().to(dtype).expand(shape);
  const Tensor eb = b.detach().to(dtype).expand(shape);
  backend.binary(op, view_of(out), view_of(ea), view_of(eb));
  return out;
}

std::vector<int64_t> normalize_dims(const Dims& dims, const Shape& shape, const char* op) {
  const auto ndim = static_cast<int64_t>(shape.size());
  std::vector<int64_t> out;
  if (dims.values.empty()) {
    for (int64_t d = 0; d < ndim; ++d) out.push_back(d);
    return out;
  }
  for (int64_t d : dims.values) out.push_back(wrap_dim(d, shape, op));
  std::sort(out.begin(), out.end());
  NABLA_CHECK(std::adjacent_find(out.begin(), out.end()) == out.end(), op, ": dims ", dims.values,
              " name a dim twice (tensor of shape ", shape, ")");
  return out;
}

Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim) {
  Shape out;
  for (int64_t d = 0; d < static_cast<int64_t>(shape.size()); ++d) {
    const bool reduced = std::find(dims.begin(), dims.end(), d) != dims.end();
    if (!reduced) out.push_back(shape[d]);
    else if (keepdim) out.push_back(1);
  }
  return out;
}

Tensor run_reduce(OpId op, const Tensor& x, const std::vector<int64_t>& dims, DType out_dtype) {
  Backend& backend = dispatch(op, x.device(), x.dtype());
  Tensor out = make_tensor(reduced_shape(x.shape(), dims, true), out_dtype, x.device());
  backend.reduce(op, view_of(out), view_of(x));
  return out;
}

namespace {
Tensor scatter_into(OpId op, const Shape& shape, int64_t dim, const Tensor& index,
                    const Tensor& src) {
  Tensor out = zeros(shape, {.dtype = src.dtype(), .device = src.device()});
  dispatch(op, src.device(), src.dtype()).index(op, view_of(out), view_of(src), dim, view_of(index));
  return out;
}
}  // namespace

Tensor index_add_into(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_into(OpId::index_add, shape, dim, index, src);
}
Tensor scatter_add_into(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src) {
  return scatter_into(OpId::scatter_add, shape, dim, index, src);
}

}  // namespace nabla::ops
