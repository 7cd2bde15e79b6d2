// CudaBackend::norm: unpacks NormArgs into raw pointers and the [N, C, S] shape
// (norm_kernels.hpp) and launches the kernels of norm.cu on the backend's stream.
#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/norm_kernels.hpp"

namespace nabla::cuda {

namespace {

template <class T>
NormBuffers<T> buffers_of(const NormArgs& a) {
  NormBuffers<T> b;  // ptr<T>() of an absent operand is nullptr, which the kernels test
  b.x = a.x.ptr<T>();
  b.y = a.y.ptr<T>();
  b.weight = a.weight.ptr<T>();
  b.bias = a.bias.ptr<T>();
  b.mean = a.mean.ptr<T>();
  b.invstd = a.invstd.ptr<T>();
  b.running_mean = a.running_mean.ptr<T>();
  b.running_var = a.running_var.ptr<T>();
  b.grad_y = a.grad_y.ptr<T>();
  b.grad_x = a.grad_x.ptr<T>();
  b.grad_weight = a.grad_weight.ptr<T>();
  b.grad_bias = a.grad_bias.ptr<T>();
  return b;
}

NormShape shape_of(const NormArgs& a) {
  NormShape s;
  s.n = a.x.shape[0];
  s.c = a.x.shape[1];
  s.s = s.n * s.c > 0 ? a.x.numel() / (s.n * s.c) : 0;
  s.groups = a.groups;
  s.training = a.training;
  s.momentum = a.momentum;
  s.eps = a.eps;
  return s;
}

template <class T>
void run_norm(OpId op, const NormArgs& a, cudaStream_t stream) {
  const NormBuffers<T> b = buffers_of<T>(a);
  const NormShape s = shape_of(a);
  switch (op) {
    case OpId::batch_norm: return batch_norm_forward<T>(b, s, stream);
    case OpId::batch_norm_backward: return batch_norm_backward<T>(b, s, stream);
    case OpId::group_norm: return group_norm_forward<T>(b, s, stream);
    case OpId::group_norm_backward: return group_norm_backward<T>(b, s, stream);
    default: NABLA_FAIL("cuda norm: op '", op_name(op), "' is not a normalisation op");
  }
}

}  // namespace

void CudaBackend::norm(OpId op, const NormArgs& args) {
  NABLA_CHECK(args.x.dtype == DType::f32 || args.x.dtype == DType::f64, "cuda ", op_name(op),
              ": needs f32 or f64 tensors, got ", args.x.dtype, "; convert with .to(DType)");
  NABLA_CHECK(args.x.dim() >= 2 && args.groups >= 1 && args.x.shape[1] % args.groups == 0,
              "cuda ", op_name(op), ": input of shape ", args.x.shape, " cannot be split into ",
              args.groups, " groups of channels");
  if (args.x.dtype == DType::f64)
    run_norm<double>(op, args, stream_);
  else
    run_norm<float>(op, args, stream_);
  NABLA_CUDA_CHECK_LAUNCH();
}

}  // namespace nabla::cuda
