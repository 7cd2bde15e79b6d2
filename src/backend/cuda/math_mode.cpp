// The mixed-precision table of math_mode.hpp, in one place for cuBLAS and cuDNN.
#include "backend/cuda/math_mode.hpp"

#include "nabla/amp.hpp"
#include "nabla/error.hpp"

namespace nabla::cuda {

namespace {

void check_floating(DType dtype, const char* what) {
  NABLA_CHECK(dtype == DType::f32 || dtype == DType::f64, "cuda ", what, ": no math mode for ",
              dtype, " tensors; matmul and conv2d take f32 or f64 (convert with .to(DType))");
}

}  // namespace

cublasComputeType_t gemm_compute_type(DType dtype) {
  check_floating(dtype, "gemm");
  if (dtype == DType::f64) return CUBLAS_COMPUTE_64F;
  switch (autocast_precision()) {
    case Precision::bf16: return CUBLAS_COMPUTE_32F_FAST_16BF;
    case Precision::f16: return CUBLAS_COMPUTE_32F_FAST_16F;
    case Precision::f32: break;
  }
  return allow_tf32() ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

cudnnMathType_t conv_math_type(DType dtype) {
  check_floating(dtype, "conv2d");
  if (dtype == DType::f64) return CUDNN_DEFAULT_MATH;
  if (autocast_precision() != Precision::f32) return CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION;
  return allow_tf32() ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
}

}  // namespace nabla::cuda
