// Reductions over any set of dims: sum (accumulated in double), max / min (NaN propagates),
// argmax / argmin (first index on ties), the CPU's semantics. One thread block per output
// element: each thread folds a fixed, ascending subset of the reduced elements, then a shared-
// memory tree combines the threads' results in a fixed pattern. The block size depends only on
// the shapes, so the combination order, and the result, is the same on every run.
#include "backend/cuda/launch.cuh"
#include "backend/cuda/strided_index.cuh"

namespace nabla::cuda {

namespace {

template <class T>
__global__ void sum_kernel(T* out, const T* in, StridedIndex kept, StridedIndex reduced,
                           int64_t n_out, int64_t n_red) {
  __shared__ double scratch[kThreads];
  for (int64_t o = blockIdx.x; o < n_out; o += gridDim.x) {
    const T* base = in + kept.offset(o);
    double acc = 0.0;
    for (int64_t i = threadIdx.x; i < n_red; i += blockDim.x)
      acc += static_cast<double>(base[reduced.offset(i)]);
    const double total = block_combine(acc, scratch, SumOp{});
    if (threadIdx.x == 0) out[o] = static_cast<T>(total);
  }
}

// Whether (value, index) beats the current best: a NaN beats any number (the first NaN wins),
// then the larger (kMax) or smaller value, then the smaller index. index < 0: nothing yet.
template <class T, bool kMax>
__device__ inline bool beats(T value, int64_t index, T best, int64_t best_index) {
  if (index < 0) return false;
  if (best_index < 0) return true;
  const bool value_nan = value != value, best_nan = best != best;
  if (best_nan) return value_nan && index < best_index;
  if (value_nan) return true;
  if (kMax ? value > best : value < best) return true;
  return value == best && index < best_index;
}

template <class T, class R, bool kMax, bool kIndex>
__global__ void extremum_kernel(R* out, const T* in, StridedIndex kept, StridedIndex reduced,
                                int64_t n_out, int64_t n_red) {
  __shared__ T best_value[kThreads];
  __shared__ int64_t best_index[kThreads];
  for (int64_t o = blockIdx.x; o < n_out; o += gridDim.x) {
    const T* base = in + kept.offset(o);
    T value = T(0);
    int64_t index = -1;
    for (int64_t i = threadIdx.x; i < n_red; i += blockDim.x) {
      const T v = base[reduced.offset(i)];
      if (beats<T, kMax>(v, i, value, index)) value = v, index = i;
    }
    best_value[threadIdx.x] = value;
    best_index[threadIdx.x] = index;
    __syncthreads();
    for (unsigned int half = blockDim.x / 2; half > 0; half /= 2) {
      if (threadIdx.x < half) {
        const unsigned int other = threadIdx.x + half;
        if (beats<T, kMax>(best_value[other], best_index[other], best_value[threadIdx.x],
                           best_index[threadIdx.x])) {
          best_value[threadIdx.x] = best_value[other];
          best_index[threadIdx.x] = best_index[other];
        }
      }
      __syncthreads();
    }
    if (threadIdx.x == 0) {
      if constexpr (kIndex) out[o] = best_index[0];
      else out[o] = best_value[0];
    }
    __syncthreads();
  }
}

}  // namespace

void CudaBackend::reduce(OpId op, const View& out, const View& in) {
  NABLA_CHECK(out.strides == contiguous_strides(out.shape),
              "cuda reduce: output must be contiguous");
  NABLA_CHECK(op == OpId::sum || op == OpId::max || op == OpId::min || op == OpId::argmax ||
                  op == OpId::argmin,
              "cuda reduce: '", op_name(op), "' is not a reduction");
  Shape kept_shape, reduced_shape;
  Strides kept_in, reduced_in;
  for (int64_t d = 0; d < in.dim(); ++d) {
    if (in.shape[d] == 1) continue;
    const bool reduced = out.shape[d] == 1;
    (reduced ? reduced_shape : kept_shape).push_back(in.shape[d]);
    (reduced ? reduced_in : kept_in).push_back(in.strides[d]);
  }
  const int64_t n_out = out.numel(), n_red = shape_numel(reduced_shape);
  if (n_out == 0) return;
  const StridedIndex kept = strided_index(kept_shape, kept_in, op_name(op));
  const StridedIndex reduced = strided_index(reduced_shape, reduced_in, op_name(op));
  const unsigned int blocks = static_cast<unsigned int>(std::min<int64_t>(n_out, kMaxBlocks));
  const unsigned int threads = block_threads_for(n_red);
  visit_floating(in.dtype, op_name(op), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* x = in.ptr<T>();
    switch (op) {
      case OpId::sum:
        sum_kernel<T><<<blocks, threads, 0, stream_>>>(out.ptr<T>(), x, kept, reduced, n_out, n_red);
        break;
      case OpId::max:
        extremum_kernel<T, T, true, false><<<blocks, threads, 0, stream_>>>(
            out.ptr<T>(), x, kept, reduced, n_out, n_red);
        break;
      case OpId::min:
        extremum_kernel<T, T, false, false><<<blocks, threads, 0, stream_>>>(
            out.ptr<T>(), x, kept, reduced, n_out, n_red);
        break;
      case OpId::argmax:
        extremum_kernel<T, int64_t, true, true><<<blocks, threads, 0, stream_>>>(
            out.ptr<int64_t>(), x, kept, reduced, n_out, n_red);
        break;
      default:  // argmin
        extremum_kernel<T, int64_t, false, true><<<blocks, threads, 0, stream_>>>(
            out.ptr<int64_t>(), x, kept, reduced, n_out, n_red);
        break;
    }
    NABLA_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace nabla::cuda
