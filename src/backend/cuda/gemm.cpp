// Matrix products through cuBLAS. cuBLAS is column-major: a row-major C[m, n] = A[m, k] B[k, n]
// is, read column-major, Cᵀ[n, m] = Bᵀ[n, k] Aᵀ[k, m], so the call passes B before A with m
// and n swapped, and a row-major operand's transpose flag (blas_layout, shared with the CPU)
// becomes the column-major one unchanged. Batches whose operands step by one stride each are
// one strided-batched call; others (broadcast over several batch dims) are one call per product.
// The compute type follows nabla/amp.hpp through gemm_compute_type() (math_mode.hpp): exact
// float32 unless TF32 or a bf16 / f16 autocast is on.
#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/math_mode.hpp"

namespace nabla::cuda {

namespace {

MatrixLayout operand_of(const View& m) {
  const int64_t r = m.dim() - 2;
  const auto layout = blas_layout(m.shape[r], m.shape[r + 1], m.strides[r], m.strides[r + 1]);
  NABLA_CHECK(layout.has_value(), "cuda gemm: operand of shape ", m.shape, " and strides ",
              m.strides, " has no BLAS layout; the matmul op must make it contiguous first");
  return *layout;
}

// The one step between consecutive batch products of an operand whose batch offsets are
// linear in the flattened batch index (the case of contiguous and broadcast batches); none
// otherwise.
std::optional<int64_t> batch_step(const Shape& batch_shape, const Strides& batch_strides) {
  std::optional<int64_t> step;
  int64_t expected = 0;  // what the next-outer dim's stride must be
  for (size_t d = batch_shape.size(); d-- > 0;) {
    if (batch_shape[d] == 1) continue;
    if (!step) {
      step = batch_strides[d];
    } else if (batch_strides[d] != expected) {
      return std::nullopt;
    }
    expected = batch_strides[d] * batch_shape[d];
  }
  return step ? step : std::optional<int64_t>(0);
}

struct GemmTypes {
  cudaDataType data;
  cublasComputeType_t compute;
};

GemmTypes types_of(DType dtype) {
  const cublasComputeType_t compute = gemm_compute_type(dtype);  // checks f32 / f64
  return {dtype == DType::f64 ? CUDA_R_64F : CUDA_R_32F, compute};
}

}  // namespace

void CudaBackend::gemm(const GemmArgs& args) {
  const View& out = args.out;
  const int64_t rank = out.dim();
  const int64_t m = out.shape[rank - 2], n = out.shape[rank - 1], k = args.a.shape[rank - 1];
  if (out.numel() == 0) return;
  if (k == 0) {  // an empty sum: cuBLAS may leave C untouched
    fill(out, 0.0);
    return;
  }
  const MatrixLayout la = operand_of(args.a), lb = operand_of(args.b);
  const Shape batch_shape(out.shape.begin(), out.shape.end() - 2);
  const Strides batch_a(args.a.strides.begin(), args.a.strides.end() - 2);
  const Strides batch_b(args.b.strides.begin(), args.b.strides.end() - 2);
  const int64_t batches = shape_numel(batch_shape);
  const GemmTypes types = types_of(out.dtype);
  const size_t element = dtype_size(out.dtype);
  const double one64 = 1.0, zero64 = 0.0;
  const float one32 = 1.0f, zero32 = 0.0f;
  const void* alpha = out.dtype == DType::f64 ? static_cast<const void*>(&one64) : &one32;
  const void* beta = out.dtype == DType::f64 ? static_cast<const void*>(&zero64) : &zero32;
  const cublasOperation_t op_a = la.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_b = lb.transposed ? CUBLAS_OP_T : CUBLAS_OP_N;
  const auto* a = static_cast<const char*>(args.a.data);
  const auto* b = static_cast<const char*>(args.b.data);
  auto* c = static_cast<char*>(out.data);

  const auto step_a = batch_step(batch_shape, batch_a), step_b = batch_step(batch_shape, batch_b);
  if (batches == 1 || (step_a && step_b)) {
    NABLA_CUBLAS_CHECK(cublasGemmStridedBatchedEx_64(
        cublas_, op_b, op_a, n, m, k, alpha, b, types.data, lb.ld, step_b.value_or(0), a,
        types.data, la.ld, step_a.value_or(0), beta, c, types.data, n, m * n, batches,
        types.compute, CUBLAS_GEMM_DEFAULT));
    return;
  }
  for (int64_t batch = 0; batch < batches; ++batch) {
    int64_t rest = batch, a_off = 0, b_off = 0;
    for (int64_t d = static_cast<int64_t>(batch_shape.size()) - 1; d >= 0; --d) {
      const int64_t i = rest % batch_shape[d];
      rest /= batch_shape[d];
      a_off += i * batch_a[d];
      b_off += i * batch_b[d];
    }
    NABLA_CUBLAS_CHECK(cublasGemmEx_64(cublas_, op_b, op_a, n, m, k, alpha, b + b_off * element,
                                       types.data, lb.ld, a + a_off * element, types.data, la.ld,
                                       beta, c + batch * m * n * element, types.data, n,
                                       types.compute, CUBLAS_GEMM_DEFAULT));
  }
}

}  // namespace nabla::cuda
