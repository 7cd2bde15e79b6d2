// Unary and binary elementwise kernels: one thread per output element (grid-stride), each
// operand read through its own strides, so broadcast (stride 0) and transposed inputs need no
// copy. The op is a kernel argument and a switch per element: every thread of a launch takes the
// same branch, so it costs nothing, and the file compiles one kernel per dtype, not one per op.
#include "backend/cuda/launch.cuh"
#include "backend/cuda/strided_index.cuh"
#include "backend/cuda/unary_ops.cuh"

namespace nabla::cuda {

namespace {

template <class T>
__global__ void unary_kernel(OpId op, T* out, StridedIndex out_at, const T* in,
                             StridedIndex in_at, UnaryParams<T> params, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride())
    out[out_at.offset(i)] = unary_value(op, in[in_at.offset(i)], params);
}

template <class T> __device__ inline T arithmetic_value(OpId op, T x, T y) {
  switch (op) {
    case OpId::add: return x + y;
    case OpId::sub: return x - y;
    case OpId::mul: return x * y;
    case OpId::div: return x / y;
    case OpId::pow: return math::pow(x, y);
    case OpId::relu_grad: return y > T(0) ? x : T(0);
    // NaN propagates, as torch.maximum (and the CPU kernel).
    case OpId::maximum: return x != x ? x : (x > y ? x : y);
    case OpId::minimum: return x != x ? x : (x < y ? x : y);
    default: return x;  // unreachable: checked on the host
  }
}

template <class T> __device__ inline bool comparison_value(OpId op, T x, T y) {
  switch (op) {
    case OpId::eq: return x == y;
    case OpId::ne: return x != y;
    case OpId::lt: return x < y;
    case OpId::le: return x <= y;
    case OpId::gt: return x > y;
    default: return x >= y;  // ge; checked on the host
  }
}

template <class T>
__global__ void arithmetic_kernel(OpId op, T* out, StridedIndex out_at, const T* a,
                                  StridedIndex a_at, const T* b, StridedIndex b_at, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride())
    out[out_at.offset(i)] = arithmetic_value(op, a[a_at.offset(i)], b[b_at.offset(i)]);
}

template <class T>
__global__ void comparison_kernel(OpId op, bool* out, StridedIndex out_at, const T* a,
                                  StridedIndex a_at, const T* b, StridedIndex b_at, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride())
    out[out_at.offset(i)] = comparison_value(op, a[a_at.offset(i)], b[b_at.offset(i)]);
}

template <class T> UnaryParams<T> params_of(OpId op, const UnaryArgs& args) {
  UnaryParams<T> p{};
  p.a = static_cast<T>(args.a);
  p.b = static_cast<T>(args.b);
  p.lo = args.has_a ? static_cast<T>(args.a) : static_cast<T>(-INFINITY);
  p.hi = args.has_b ? static_cast<T>(args.b) : static_cast<T>(INFINITY);
  p.square = op == OpId::pow_scalar && args.a == 2.0;
  p.tanh_form = args.has_a;  // read by gelu
  p.rational = args.has_a;   // read by tanh
  return p;
}

}  // namespace

void CudaBackend::unary(OpId op, const View& out, const View& in, const UnaryArgs& args) {
  NABLA_CHECK(is_unary_op(op), "cuda unary: '", op_name(op), "' is not a unary op");
  const int64_t n = out.numel();
  if (n == 0) return;
  const StridedIndex out_at = strided_index(out, op_name(op));
  const StridedIndex in_at = strided_index(out.shape, in.strides, op_name(op));
  visit_floating(in.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    unary_kernel<T><<<blocks_for(n), kThreads, 0, stream_>>>(op, out.ptr<T>(), out_at,
                                                             in.ptr<T>(), in_at,
                                                             params_of<T>(op, args), n);
    NABLA_CUDA_CHECK_LAUNCH();
  });
}

void CudaBackend::binary(OpId op, const View& out, const View& a, const View& b) {
  const bool comparison = op >= OpId::eq && op <= OpId::ge;
  const bool arithmetic = op >= OpId::add && op <= OpId::minimum;
  NABLA_CHECK(comparison || arithmetic, "cuda binary: '", op_name(op), "' is not a binary op");
  const int64_t n = out.numel();
  if (n == 0) return;
  const StridedIndex out_at = strided_index(out, op_name(op));
  const StridedIndex a_at = strided_index(out.shape, a.strides, op_name(op));
  const StridedIndex b_at = strided_index(out.shape, b.strides, op_name(op));
  auto launch = [&](auto tag) {
    using T = typename decltype(tag)::type;
    if (comparison) {
      comparison_kernel<T><<<blocks_for(n), kThreads, 0, stream_>>>(
          op, out.ptr<bool>(), out_at, a.ptr<T>(), a_at, b.ptr<T>(), b_at, n);
    } else {
      arithmetic_kernel<T><<<blocks_for(n), kThreads, 0, stream_>>>(
          op, out.ptr<T>(), out_at, a.ptr<T>(), a_at, b.ptr<T>(), b_at, n);
    }
    NABLA_CUDA_CHECK_LAUNCH();
  };
  if (a.dtype == DType::i64) {  // comparisons of indices
    NABLA_CHECK(comparison, "cuda binary: '", op_name(op), "' needs float32 or float64, got int64");
    comparison_kernel<int64_t><<<blocks_for(n), kThreads, 0, stream_>>>(
        op, out.ptr<bool>(), out_at, a.ptr<int64_t>(), a_at, b.ptr<int64_t>(), b_at, n);
    NABLA_CUDA_CHECK_LAUNCH();
    return;
  }
  visit_floating(a.dtype, op_name(op), launch);
}

}  // namespace nabla::cuda
