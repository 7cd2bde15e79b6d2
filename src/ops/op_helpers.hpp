// What the op files share: running a kernel into a fresh output (no autograd; the op records
// its own node), dtype promotion, and dims normalisation.
#pragma once

#include "autograd/node.hpp"
#include "backend/backend.hpp"
#include "core/tensor_impl.hpp"
#include "nabla/ops.hpp"

namespace nabla::ops {

using autograd::GradMask;
using autograd::Grads;
using autograd::SavedTensor;

// f32 meeting f64 computes in f64, as torch's type promotion.
// The dtype two operands compute in (equal dtypes, or float64 for two floating ones); otherwise
// an error naming `op` (and, for tensors, their shapes).
DType promote_types(DType a, DType b, const char* op);
DType promote(const Tensor& a, const Tensor& b, const char* op);
// A 0-d tensor of `value` in `like`'s dtype and device; broadcasts against anything.
Tensor scalar_like(double value, const Tensor& like);

// Kernel runners: validate dtype support through dispatch, allocate a contiguous output.
Tensor run_unary(OpId op, const Tensor& x, const UnaryArgs& args = {});
// Broadcasts a and b, promotes their dtype; comparisons produce bool.
Tensor run_binary(OpId op, const Tensor& a, const Tensor& b);
// Reduces `dims` (already wrapped) keeping them as size 1; out_dtype for arg-reductions.
Tensor run_reduce(OpId op, const Tensor& x, const std::vector<int64_t>& dims, DType out_dtype);

// Wrapped, sorted, duplicate-free dims; empty means all of them.
std::vector<int64_t> normalize_dims(const Dims& dims, const Shape& shape, const char* op);
// x's shape with `dims` set to 1 (keepdim) or removed.
Shape reduced_shape(const Shape& shape, const std::vector<int64_t>& dims, bool keepdim);

// Internal scatter-add used by backward formulas: zeros(shape) with src added at index.
Tensor index_add_into(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src);
Tensor scatter_add_into(const Shape& shape, int64_t dim, const Tensor& index, const Tensor& src);

}  // namespace nabla::ops
