// copy (with dtype conversion and broadcasting), fill and where: one thread per element of the
// destination, grid-stride, every operand addressed through its own strides.
#include "backend/cuda/launch.cuh"
#include "backend/cuda/strided_index.cuh"

namespace nabla::cuda {

namespace {

template <class D, class S>
__global__ void copy_kernel(D* dst, StridedIndex dst_at, const S* src, StridedIndex src_at,
                            int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride())
    dst[dst_at.offset(i)] = static_cast<D>(src[src_at.offset(i)]);
}

template <class T>
__global__ void fill_kernel(T* dst, StridedIndex dst_at, T value, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride()) dst[dst_at.offset(i)] = value;
}

template <class T>
__global__ void where_kernel(T* out, StridedIndex out_at, const bool* condition,
                             StridedIndex condition_at, const T* a, StridedIndex a_at,
                             const T* b, StridedIndex b_at, int64_t n) {
  for (int64_t i = first_index(); i < n; i += grid_stride())
    out[out_at.offset(i)] = condition[condition_at.offset(i)] ? a[a_at.offset(i)]
                                                              : b[b_at.offset(i)];
}

}  // namespace

void CudaBackend::copy(const View& dst, const View& src) {
  const int64_t n = dst.numel();
  if (n == 0) return;
  const bool same_layout = dst.dtype == src.dtype && dst.shape == src.shape &&
                           dst.strides == src.strides &&
                           dst.strides == contiguous_strides(dst.shape);
  if (same_layout) {
    NABLA_CUDA_CHECK(cudaMemcpyAsync(dst.data, src.data, n * dtype_size(dst.dtype),
                                     cudaMemcpyDeviceToDevice, stream_));
    return;
  }
  const StridedIndex dst_at = strided_index(dst, "copy");
  const StridedIndex src_at = strided_index(dst.shape, src.strides, "copy");  // src broadcast
  visit_any(dst.dtype, [&](auto dst_tag) {
    using D = typename decltype(dst_tag)::type;
    visit_any(src.dtype, [&](auto src_tag) {
      using S = typename decltype(src_tag)::type;
      copy_kernel<D, S><<<blocks_for(n), kThreads, 0, stream_>>>(dst.ptr<D>(), dst_at,
                                                                  src.ptr<S>(), src_at, n);
      NABLA_CUDA_CHECK_LAUNCH();
    });
  });
}

void CudaBackend::fill(const View& dst, double value) {
  const int64_t n = dst.numel();
  if (n == 0) return;
  const StridedIndex dst_at = strided_index(dst, "fill");
  visit_any(dst.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    fill_kernel<T><<<blocks_for(n), kThreads, 0, stream_>>>(dst.ptr<T>(), dst_at,
                                                            static_cast<T>(value), n);
    NABLA_CUDA_CHECK_LAUNCH();
  });
}

void CudaBackend::where(const View& out, const View& condition, const View& a, const View& b) {
  const int64_t n = out.numel();
  if (n == 0) return;
  const StridedIndex out_at = strided_index(out, "where");
  const StridedIndex condition_at = strided_index(out.shape, condition.strides, "where");
  const StridedIndex a_at = strided_index(out.shape, a.strides, "where");
  const StridedIndex b_at = strided_index(out.shape, b.strides, "where");
  visit_any(out.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    where_kernel<T><<<blocks_for(n), kThreads, 0, stream_>>>(
        out.ptr<T>(), out_at, condition.ptr<bool>(), condition_at, a.ptr<T>(), a_at,
        b.ptr<T>(), b_at, n);
    NABLA_CUDA_CHECK_LAUNCH();
  });
}

}  // namespace nabla::cuda
