// Reductions: sum (accumulated in double), max / min (NaN propagates), argmax / argmin (first
// index on ties). Every output element combines its inputs in one fixed order, ascending over
// the reduced dims, whichever loop order and thread split is used, so results are bitwise
// equal at any thread count.
#include <algorithm>
#include <cmath>
#include <vector>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {

template <class T> struct SumReducer {
  double acc = 0.0;
  void take(T v, int64_t) { acc += static_cast<double>(v); }
  T result() const { return static_cast<T>(acc); }
};

template <class T, bool kMax, bool kIndex> struct ExtremumReducer {
  T best{};
  int64_t index = -1;
  void take(T v, int64_t i) {
    const bool best_nan = index >= 0 && best != best;
    if (index < 0 || (!best_nan && (v != v || (kMax ? v > best : v < best)))) {
      best = v;
      index = i;
    }
  }
  auto result() const {
    if constexpr (kIndex) return index;
    else return best;
  }
};

template <class T, class Reducer>
void reduce_typed(const View& out, const View& in) {
  Shape kept_shape, reduced_shape;
  Strides kept_in, reduced_in;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (in.shape[d] == 1) continue;
    const bool reduced = out.shape[d] == 1;
    (reduced ? reduced_shape : kept_shape).push_back(in.shape[d]);
    (reduced ? reduced_in : kept_in).push_back(in.strides[d]);
  }
  const std::vector<int64_t> kept = offsets_of(kept_shape, kept_in);
  const std::vector<int64_t> reduced = offsets_of(reduced_shape, reduced_in);
  const auto n_out = static_cast<int64_t>(kept.size());
  const auto n_red = static_cast<int64_t>(reduced.size());
  const T* src = in.ptr<T>();
  using R = decltype(Reducer{}.result());
  R* dst = out.ptr<R>();

  // Reducing along the inner memory dims (softmax rows, per-sample sums): one output at a time.
  // Along outer dims (bias gradients, column sums): sweep the reduced index outside, so each
  // pass over the kept outputs reads memory in order.
  const bool inner = reduced_in.empty() || kept_in.empty() ||
                     *std::min_element(reduced_in.begin(), reduced_in.end()) <
                         *std::min_element(kept_in.begin(), kept_in.end());
  const int64_t grain = std::max<int64_t>(1, kParallelGrain / std::max<int64_t>(n_red, 1));
  if (inner) {
    parallel_for(n_out, grain, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        Reducer r;
        const T* base = src + kept[o];
        for (int64_t i = 0; i < n_red; ++i) r.take(base[reduced[i]], i);
        dst[o] = r.result();
      }
    });
  } else {
    parallel_for(n_out, grain, [&](int64_t begin, int64_t end) {
      std::vector<Reducer> acc(end - begin);
      for (int64_t i = 0; i < n_red; ++i) {
        const T* base = src + reduced[i];
        for (int64_t o = begin; o < end; ++o) acc[o - begin].take(base[kept[o]], i);
      }
      for (int64_t o = begin; o < end; ++o) dst[o] = acc[o - begin].result();
    });
  }
}

}  // namespace

void CpuBackend::reduce(OpId op, const View& out, const View& in) {
  NABLA_CHECK(out.strides == contiguous_strides(out.shape),
              "cpu reduce: output must be contiguous");
  visit_floating(in.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    switch (op) {
      case OpId::sum: return reduce_typed<T, SumReducer<T>>(out, in);
      case OpId::max: return reduce_typed<T, ExtremumReducer<T, true, false>>(out, in);
      case OpId::min: return reduce_typed<T, ExtremumReducer<T, false, false>>(out, in);
      case OpId::argmax: return reduce_typed<T, ExtremumReducer<T, true, true>>(out, in);
      case OpId::argmin: return reduce_typed<T, ExtremumReducer<T, false, true>>(out, in);
      default: NABLA_FAIL("cpu reduce: '", op_name(op), "' is not a reduction");
    }
  });
}

}  // namespace nabla::cpu
