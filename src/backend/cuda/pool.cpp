// CudaBackend::pool2d: unpacks Pool2dArgs into the kernels' geometry (pool_kernels.hpp) and
// launches them on the backend's stream. Output sizes (ceil mode included) were fixed by the op
// (src/ops/pool.cpp), so kernels only read them from the shapes.
#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/pool_kernels.hpp"

namespace nabla::cuda {

namespace {

PoolGeometry geometry_of(OpId op, const Pool2dArgs& a) {
  PoolGeometry g;
  g.planes = a.in.shape[0] * a.in.shape[1];
  g.in_h = a.in.shape[2];
  g.in_w = a.in.shape[3];
  g.out_h = a.out.shape[2];
  g.out_w = a.out.shape[3];
  g.kernel_h = a.kernel[0];
  g.kernel_w = a.kernel[1];
  g.stride_h = a.stride[0];
  g.stride_w = a.stride[1];
  g.pad_h = a.padding[0];
  g.pad_w = a.padding[1];
  g.dilation_h = a.dilation[0];
  g.dilation_w = a.dilation[1];
  g.count_include_pad = a.count_include_pad;
  g.divisor_override = a.divisor_override;
  g.adaptive = op == OpId::adaptive_avg_pool2d || op == OpId::adaptive_avg_pool2d_backward;
  return g;
}

template <class T>
void run_pool(OpId op, const Pool2dArgs& a, cudaStream_t stream) {
  const PoolGeometry g = geometry_of(op, a);
  switch (op) {
    case OpId::max_pool2d:
      max_pool_forward<T>(g, a.in.ptr<T>(), a.out.ptr<T>(), a.indices.ptr<int64_t>(), stream);
      return;
    case OpId::max_pool2d_backward:
      max_pool_backward<T>(g, a.out.ptr<T>(), a.indices.ptr<int64_t>(), a.in.ptr<T>(), stream);
      return;
    case OpId::avg_pool2d:
    case OpId::adaptive_avg_pool2d:
      avg_pool_forward<T>(g, a.in.ptr<T>(), a.out.ptr<T>(), stream);
      return;
    case OpId::avg_pool2d_backward:
    case OpId::adaptive_avg_pool2d_backward:
      avg_pool_backward<T>(g, a.out.ptr<T>(), a.in.ptr<T>(), stream);
      return;
    default:
      NABLA_FAIL("cuda pool2d: op '", op_name(op), "' is not a pooling op");
  }
}

}  // namespace

void CudaBackend::pool2d(OpId op, const Pool2dArgs& args) {
  NABLA_CHECK(args.in.dtype == DType::f32 || args.in.dtype == DType::f64, "cuda ", op_name(op),
              ": needs f32 or f64 tensors, got ", args.in.dtype, "; convert with .to(DType)");
  if (args.in.dtype == DType::f64)
    run_pool<double>(op, args, stream_);
  else
    run_pool<float>(op, args, stream_);
  NABLA_CUDA_CHECK_LAUNCH();
}

}  // namespace nabla::cuda
