// Strided indexing inside kernels: a tensor's shape and element strides (up to 8 dims) passed
// by value, mapping a row-major linear position over the shape to an element offset. Operands of
// one elementwise kernel share the iteration shape, each with its own strides (0 where
// broadcast), so one linear index gives every operand's offset.
//
//   const StridedIndex out_at = strided_index(out.shape, out.strides, "add");
//   ... in the kernel: out[out_at.offset(i)] = ...
#pragma once

#include <cstdint>

#include "backend/backend.hpp"

namespace nabla::cuda {

constexpr int kMaxDims = 8;

struct StridedIndex {
  int rank = 0;
  int64_t shape[kMaxDims] = {};
  int64_t strides[kMaxDims] = {};

  // Row-major decomposition of `linear` over shape, the last dim fastest.
  __host__ __device__ int64_t offset(int64_t linear) const {
    int64_t result = 0;
    for (int d = rank - 1; d >= 0; --d) {
      const int64_t i = linear % shape[d];
      linear /= shape[d];
      result += i * strides[d];
    }
    return result;
  }
};

// The index of `strides` over `shape`; size-1 dims are dropped (their index is always 0), so
// only dims of size > 1 count towards the limit of kMaxDims.
inline StridedIndex strided_index(const Shape& shape, const Strides& strides, const char* op) {
  StridedIndex index;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 1) continue;
    NABLA_CHECK(index.rank < kMaxDims, "cuda ", op, ": tensor of shape ", shape, " has more than ",
                kMaxDims, " dims of size > 1; reshape it (or make it contiguous and flatten it)");
    index.shape[index.rank] = shape[d];
    index.strides[index.rank] = strides[d];
    ++index.rank;
  }
  return index;
}

inline StridedIndex strided_index(const View& v, const char* op) {
  return strided_index(v.shape, v.strides, op);
}

}  // namespace nabla::cuda
