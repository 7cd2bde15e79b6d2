// How the CUDA backend's matrix products and convolutions compute, from the mixed-precision
// settings of nabla/amp.hpp (autocast_precision() of the calling thread, allow_tf32()).
//
//   storage  autocast  allow_tf32   cuBLAS compute type            cuDNN math type
//   f64      any       any          CUBLAS_COMPUTE_64F             CUDNN_DEFAULT_MATH
//   f32      bf16      any          CUBLAS_COMPUTE_32F_FAST_16BF   TENSOR_OP_MATH_ALLOW_CONVERSION
//   f32      f16       any          CUBLAS_COMPUTE_32F_FAST_16F    TENSOR_OP_MATH_ALLOW_CONVERSION
//   f32      off       true         CUBLAS_COMPUTE_32F_FAST_TF32   CUDNN_TENSOR_OP_MATH
//   f32      off       false        CUBLAS_COMPUTE_32F             CUDNN_FMA_MATH
//
// Storage stays f32 in every row: cuBLAS's FAST_16BF / FAST_16F modes round the f32 inputs to
// bf16 / f16 inside the kernel and accumulate in f32. cuDNN's legacy API has no such choice
// for f32 tensors: ALLOW_CONVERSION lets it down-convert f32 inputs for tensor cores (to f16
// or TF32, its choice; never bf16), so a bf16-autocast convolution is at least as accurate as
// bf16. Exact f32 needs CUDNN_FMA_MATH: cuDNN's DEFAULT_MATH runs f32 convolutions as TF32 on
// Ampere and later.
#pragma once

#include <cublas_v2.h>
#include <cudnn.h>

#include "nabla/dtype.hpp"

namespace nabla::cuda {

// The computeType for cublasGemmEx / cublasGemmStridedBatchedEx on tensors of `dtype`
// (f32 or f64; anything else is an Error naming the dtype).
cublasComputeType_t gemm_compute_type(DType dtype);

// The math type to set on a convolution descriptor for tensors of `dtype` (f32 or f64).
cudnnMathType_t conv_math_type(DType dtype);

}  // namespace nabla::cuda
