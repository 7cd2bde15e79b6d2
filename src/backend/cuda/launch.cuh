// Launch helpers shared by the CUDA kernels: grid sizes for grid-stride loops, the dtype
// visitors, and the backend's stream. Kernels stay plain (one thread per element, or one block
// per row), indices are int64 throughout.
#pragma once

#include <algorithm>
#include <cstdint>
#include <type_traits>

#include "backend/cuda/cuda_backend.hpp"

namespace nabla::cuda {

constexpr int kThreads = 256;     // threads per block of the elementwise kernels
constexpr int64_t kMaxBlocks = 65535 * 8;  // beyond this a grid-stride loop takes the rest

// Blocks for n elements at kThreads per block, at least one.
inline unsigned int blocks_for(int64_t n) {
  const int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<unsigned int>(blocks < 1 ? 1 : (blocks > kMaxBlocks ? kMaxBlocks : blocks));
}

// The stride of a grid-stride loop, and this thread's first element.
__device__ inline int64_t grid_stride() {
  return static_cast<int64_t>(blockDim.x) * gridDim.x;
}
__device__ inline int64_t first_index() {
  return static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

inline cudaStream_t stream() { return cuda_backend().stream(); }

// Block-per-row kernels (reductions, softmax): a power of two from 32 to kThreads, covering a
// row of n elements where it can. It depends on n alone, so the combination order does too.
inline unsigned int block_threads_for(int64_t n) {
  unsigned int threads = 32;
  while (threads < static_cast<unsigned int>(kThreads) && threads < n) threads *= 2;
  return threads;
}

// The block's values combined in one fixed tree (blockDim.x a power of two, scratch holding
// blockDim.x values); every thread gets the result. The block must call it together.
template <class Combine>
__device__ inline double block_combine(double value, double* scratch, Combine combine) {
  scratch[threadIdx.x] = value;
  __syncthreads();
  for (unsigned int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half)
      scratch[threadIdx.x] = combine(scratch[threadIdx.x], scratch[threadIdx.x + half]);
    __syncthreads();
  }
  const double result = scratch[0];
  __syncthreads();  // scratch may be reused at once
  return result;
}

struct SumOp {
  __device__ double operator()(double a, double b) const { return a + b; }
};
// a < b ? b : a, as std::max: a NaN in the second place is passed over (the CPU's softmax max).
struct MaxOp {
  __device__ double operator()(double a, double b) const { return a < b ? b : a; }
};

template <class T> struct TypeTag { using type = T; };

// fn(TypeTag<T>{}) for the C++ type of a floating dtype.
template <class F> void visit_floating(DType dtype, const char* op, F&& fn) {
  switch (dtype) {
    case DType::f32: fn(TypeTag<float>{}); return;
    case DType::f64: fn(TypeTag<double>{}); return;
    default: NABLA_FAIL(op, ": cuda kernel needs float32 or float64, got ", dtype);
  }
}

template <class F> void visit_any(DType dtype, F&& fn) {
  switch (dtype) {
    case DType::f32: fn(TypeTag<float>{}); return;
    case DType::f64: fn(TypeTag<double>{}); return;
    case DType::i64: fn(TypeTag<int64_t>{}); return;
    case DType::b8: fn(TypeTag<bool>{}); return;
  }
}

}  // namespace nabla::cuda
