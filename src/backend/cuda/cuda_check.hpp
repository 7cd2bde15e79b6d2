// Every CUDA runtime, cuBLAS and cuDNN call goes through its *_CHECK twin, which turns a failure
// into a nabla::Error naming the call, the library's own message and where it happened.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "nabla/error.hpp"

#define NABLA_CUDA_CHECK(call)                                                              \
  do {                                                                                      \
    const cudaError_t nabla_status_ = (call);                                               \
    NABLA_CHECK(nabla_status_ == cudaSuccess, "CUDA: ", #call, " failed: ",                 \
                cudaGetErrorString(nabla_status_));                                         \
  } while (0)

#define NABLA_CUBLAS_CHECK(call)                                                            \
  do {                                                                                      \
    const cublasStatus_t nabla_status_ = (call);                                            \
    NABLA_CHECK(nabla_status_ == CUBLAS_STATUS_SUCCESS, "cuBLAS: ", #call, " failed: ",     \
                cublasGetStatusString(nabla_status_));                                      \
  } while (0)

#define NABLA_CUDNN_CHECK(call)                                                             \
  do {                                                                                      \
    const cudnnStatus_t nabla_status_ = (call);                                             \
    NABLA_CHECK(nabla_status_ == CUDNN_STATUS_SUCCESS, "cuDNN: ", #call, " failed: ",       \
                cudnnGetErrorString(nabla_status_));                                        \
  } while (0)

// After a kernel launch: a bad launch configuration surfaces here, not at the next sync.
#define NABLA_CUDA_CHECK_LAUNCH() NABLA_CUDA_CHECK(cudaGetLastError())
