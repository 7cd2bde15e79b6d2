// torch.matmul. For A [..., m, k] and B [..., k, n] with broadcast batch dims:
//   C = A @ B          dA = sum_to(G @ Bᵀ, A.shape)     dB = sum_to(Aᵀ @ G, B.shape)
// Transposes are views; the backend passes them to BLAS as transpose flags, so neither the
// forward nor the backward copies an operand that already has a BLAS layout.
// 1-D operands are promoted as torch does (a row vector on the left, a column on the right) and
// the added dim is removed from the result.
#include <algorithm>

#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

namespace {
// A copy only when the last two dims have no BLAS layout (e.g. a strided slice of columns).
Tensor with_blas_layout(const Tensor& m) {
  const int64_t r = m.dim() - 2;
  const auto layout = blas_layout(m.shape()[r], m.shape()[r + 1], m.strides()[r], m.strides()[r + 1]);
  return layout ? m : m.contiguous();
}

// Both operands at least 2-D, with matching k: matmul checked it on the caller's shapes, and
// the backward's products match by construction.
Tensor matmul_nd(const Tensor& a, const Tensor& b) {
  const int64_t m = a.size(-2), k = a.size(-1), n = b.size(-1);
  NABLA_CHECK(a.device() == b.device(), "matmul: operands on ", a.device(), " and ", b.device());
  // broadcast_shapes checks these too, but would name only the batch shapes; the error should
  // show the operands' full shapes.
  for (int64_t i = 3; i <= std::min(a.dim(), b.dim()); ++i)
    NABLA_CHECK(a.size(-i) == b.size(-i) || a.size(-i) == 1 || b.size(-i) == 1, "matmul: shapes ",
                a.shape(), " and ", b.shape(), " have batch dims that do not broadcast (",
                a.size(-i), " vs ", b.size(-i), ")");
  const DType dtype = promote(a, b, "matmul");
  const Shape batch = broadcast_shapes(Shape(a.shape().begin(), a.shape().end() - 2),
                                       Shape(b.shape().begin(), b.shape().end() - 2), "matmul");
  auto with = [&batch](Shape tail) { tail.insert(tail.begin(), batch.begin(), batch.end()); return tail; };
  Backend& backend = dispatch(OpId::gemm, a.device(), dtype);
  const Tensor ea = with_blas_layout(a.detach().to(dtype).expand(with({m, k})));
  const Tensor eb = with_blas_layout(b.detach().to(dtype).expand(with({k, n})));
  Tensor out = make_tensor(with({m, n}), dtype, a.device());
  backend.gemm({.out = view_of(out), .a = view_of(ea), .b = view_of(eb)});
  autograd::record("matmul", {a, b}, out,
                   [sa = SavedTensor(a, "matmul"), sb = SavedTensor(b, "matmul")](
                       const Tensor& g, const GradMask& needs) {
                     const Tensor a = sa.get(), b = sb.get();
                     return Grads{
                         needs[0] ? sum_to(matmul_nd(g, b.transpose(-1, -2)), a.shape()) : Tensor(),
                         needs[1] ? sum_to(matmul_nd(a.transpose(-1, -2), g), b.shape()) : Tensor()};
                   });
  return out;
}
}  // namespace

Tensor matmul(const Tensor& a, const Tensor& b) {
  NABLA_CHECK(a.dim() >= 1 && b.dim() >= 1, "matmul: both operands need at least 1 dim, got ",
              a.shape(), " and ", b.shape());
  // Checked here on the caller's shapes: below, 1-D operands have been promoted to 2-D.
  const int64_t b_rows = b.dim() == 1 ? b.size(0) : b.size(-2);
  NABLA_CHECK(a.size(-1) == b_rows, "matmul: shapes ", a.shape(), " and ", b.shape(),
              " cannot be multiplied (", a.size(-1), " columns vs ", b_rows, " rows)");
  if (a.dim() == 1 && b.dim() == 1) return matmul_nd(a.unsqueeze(0), b.unsqueeze(1)).reshape({});
  if (a.dim() == 1) return matmul_nd(a.unsqueeze(0), b).squeeze(-2);
  if (b.dim() == 1) return matmul_nd(a, b.unsqueeze(1)).squeeze(-1);
  // [..., m, k] @ [k, n]: fold the batch into m, one large GEMM instead of many small ones.
  if (a.dim() > 2 && b.dim() == 2 && a.is_contiguous()) {
    Shape out_shape = a.shape();
    out_shape.back() = b.size(1);
    return matmul_nd(a.reshape({-1, a.size(-1)}), b).reshape(out_shape);
  }
  return matmul_nd(a, b);
}

}  // namespace nabla
