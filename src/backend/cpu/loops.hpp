// The CPU backend's loop machinery: dtype visitors, a static parallel-for, and a strided
// N-operand iterator that hands contiguous-ish rows to a kernel so the inner loop vectorises.
#pragma once

#include <omp.h>

#include <array>
#include <cstdint>
#include <vector>

#include "backend/backend.hpp"

namespace nabla::cpu {

template <class T> struct TypeTag { using type = T; };

// fn(TypeTag<T>{}) for the C++ type of a floating dtype.
template <class F> void visit_floating(DType dtype, const char* op, F&& fn) {
  switch (dtype) {
    case DType::f32: fn(TypeTag<float>{}); return;
    case DType::f64: fn(TypeTag<double>{}); return;
    default: NABLA_FAIL(op, ": cpu kernel needs float32 or float64, got ", dtype);
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

// Loops shorter than this stay on one thread: below it, waking the pool costs more than it saves.
constexpr int64_t kParallelGrain = 32768;

// fn(begin, end) over [0, n), one contiguous range per thread. Callers keep every element's
// result independent of the split, so results do not depend on the thread count.
template <class F> void parallel_for(int64_t n, int64_t grain, F&& fn) {
  if (n <= 0) return;
  if (n == 1 || n < grain || omp_get_max_threads() == 1 || omp_in_parallel()) {
    fn(int64_t{0}, n);
    return;
  }
#pragma omp parallel
  {
    const int64_t threads = omp_get_num_threads();
    const int64_t chunk = (n + threads - 1) / threads;
    const int64_t begin = omp_get_thread_num() * chunk;
    const int64_t end = std::min(n, begin + chunk);
    if (begin < end) fn(begin, end);
  }
}

// Operands sharing one iteration shape, each with its own element strides. Dims of size 1 are
// dropped and neighbours merged where every operand is contiguous across them, so a
// contiguous or broadcast-scalar operand ends up as one long row.
template <size_t N> struct StridedShape {
  Shape shape;
  std::array<Strides, N> strides;

  StridedShape(const Shape& full_shape, const std::array<const Strides*, N>& full_strides) {
    for (size_t d = 0; d < full_shape.size(); ++d) {
      if (full_shape[d] == 1) continue;
      const bool merge = !shape.empty() && [&] {
        for (size_t k = 0; k < N; ++k)
          if (strides[k].back() != (*full_strides[k])[d] * full_shape[d]) return false;
        return true;
      }();
      if (merge) {
        shape.back() *= full_shape[d];
        for (size_t k = 0; k < N; ++k) strides[k].back() = (*full_strides[k])[d];
      } else {
        shape.push_back(full_shape[d]);
        for (size_t k = 0; k < N; ++k) strides[k].push_back((*full_strides[k])[d]);
      }
    }
    if (shape.empty()) {  // a scalar: one row of one element
      shape.push_back(1);
      for (size_t k = 0; k < N; ++k) strides[k].push_back(0);
    }
  }
};


// Calls row(offsets, length, inner_strides) for every row of the innermost dim, split across
// threads. offsets[k] is operand k's element offset of the first element passed. A row longer
// than the grain is cut into pieces, so a contiguous tensor (one long row after coalescing) is
// shared too; callers therefore must not assume they see whole rows (elementwise work only).
template <size_t N, class Row>
void for_each_row(const Shape& shape, const std::array<const Strides*, N>& strides, Row&& row) {
  if (shape_numel(shape) == 0) return;
  const StridedShape<N> it(shape, strides);
  const int64_t rank = static_cast<int64_t>(it.shape.size());
  const int64_t length = it.shape.back();
  std::array<int64_t, N> inner;
  for (size_t k = 0; k < N; ++k) inner[k] = it.strides[k].back();
  const int64_t rows = shape_numel(it.shape) / length;
  const int64_t pieces_per_row = std::max<int64_t>(1, length / kParallelGrain);
  const int64_t piece_length = (length + pieces_per_row - 1) / pieces_per_row;
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / piece_length);

  parallel_for(rows * pieces_per_row, grain, [&](int64_t begin, int64_t end) {
    // Multi-index of the first piece's row over the outer dims, then an odometer.
    std::array<int64_t, 8> small_index{};
    std::vector<int64_t> big_index;
    int64_t* index = rank - 1 <= 8 ? small_index.data()
                                   : (big_index.assign(rank - 1, 0), big_index.data());
    std::array<int64_t, N> offset{};
    int64_t rest = begin / pieces_per_row;
    for (int64_t d = rank - 2; d >= 0; --d) {
      index[d] = rest % it.shape[d];
      rest /= it.shape[d];
      for (size_t k = 0; k < N; ++k) offset[k] += index[d] * it.strides[k][d];
    }
    for (int64_t p = begin; p < end; ++p) {
      const int64_t first = (p % pieces_per_row) * piece_length;
      std::array<int64_t, N> piece_offset = offset;
      for (size_t k = 0; k < N; ++k) piece_offset[k] += first * inner[k];
      row(piece_offset, std::min(piece_length, length - first), inner);
      if ((p + 1) % pieces_per_row != 0) continue;  // the row's next piece
      for (int64_t d = rank - 2; d >= 0; --d) {
        for (size_t k = 0; k < N; ++k) offset[k] += it.strides[k][d];
        if (++index[d] < it.shape[d]) break;
        for (size_t k = 0; k < N; ++k) offset[k] -= index[d] * it.strides[k][d];
        index[d] = 0;
      }
    }
  });
}

// out = op(in) elementwise, with a unit-stride fast path that vectorises.
template <class T, class Op>
void unary_loop(const View& out, const View& in, Op op) {
  T* o = out.ptr<T>();
  const T* p = in.ptr<T>();
  for_each_row<2>(out.shape, {&out.strides, &in.strides}, [&](auto off, int64_t n, auto st) {
    T* y = o + off[0];
    const T* x = p + off[1];
    if (st[0] == 1 && st[1] == 1) {
      for (int64_t i = 0; i < n; ++i) y[i] = op(x[i]);
    } else {
      for (int64_t i = 0; i < n; ++i) y[i * st[0]] = op(x[i * st[1]]);
    }
  });
}

// Element offsets of every position of `shape` under `strides`, in row-major order.
inline std::vector<int64_t> offsets_of(const Shape& shape, const Strides& strides) {
  std::vector<int64_t> offsets(shape_numel(shape), 0);
  int64_t block = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    const auto n = static_cast<int64_t>(offsets.size());
    for (int64_t i = 0; i < n; ++i) offsets[i] += (i / block) % shape[d] * strides[d];
    block *= shape[d];
  }
  return offsets;
}

}  // namespace nabla::cpu
