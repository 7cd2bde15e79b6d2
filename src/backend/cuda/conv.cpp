// conv2d on cuDNN's legacy API, the three ops of Conv2dArgs:
//   conv2d              y  = conv(x, W) (cudnnConvolutionForward) + b (cudnnAddTensor)
//   conv2d_input_grad   dx from dy and W (cudnnConvolutionBackwardData)
//   conv2d_weight_grad  dW from x and dy (cudnnConvolutionBackwardFilter), db = Σ dy
//                       (cudnnConvolutionBackwardBias)
// cuDNN pads symmetrically, while nabla's output size comes from y's shape with only the
// top/left padding given ("same" with an even kernel pads one more at the bottom/right). When
// the symmetric padding would not give y's size, the input is staged into a scratch buffer of
// the extent that does: zero rows/columns appended at the bottom/right (or rows no output reads
// dropped), which is the asymmetric padding exactly. The input gradient is computed on that
// extent and copied back.
// A plan (descriptors, algorithm, workspace size) is cached per (op, shapes, dtype, math type);
// plans never change once made, so threads may share them. Algorithms come from cuDNN's
// heuristics (cudnnGet*Algorithm_v7), deterministic ones first, so a run repeats bitwise.
// The math type follows nabla/amp.hpp through conv_math_type(): exact f32 (CUDNN_FMA_MATH)
// unless TF32 or autocast is on.
#include <algorithm>
#include <array>
#include <climits>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "backend/cuda/cuda_backend.hpp"
#include "backend/cuda/math_mode.hpp"

namespace nabla::cuda {

namespace {

// A workspace larger than this is not worth an algorithm's speed-up; cuDNN always offers one
// that needs little or none.
constexpr size_t kMaxWorkspaceBytes = size_t{1} << 30;
constexpr size_t kMaxPlans = 512;  // distinct conv shapes of a run are few; a bound for safety

int to_int(int64_t value, const char* what) {
  NABLA_CHECK(value >= 0 && value <= INT_MAX, "cuda conv2d: ", what, " = ", value,
              " does not fit cuDNN's int; split the batch or the image");
  return static_cast<int>(value);
}

cudnnDataType_t cudnn_type(DType dtype) {
  return dtype == DType::f64 ? CUDNN_DATA_DOUBLE : CUDNN_DATA_FLOAT;
}

// The one and zero that cuDNN reads for alpha / beta: double for f64 data, float otherwise.
struct Scalars {
  explicit Scalars(DType dtype) : f64(dtype == DType::f64) {}
  const void* one() const { return f64 ? static_cast<const void*>(&d1) : &f1; }
  const void* zero() const { return f64 ? static_cast<const void*>(&d0) : &f0; }
  bool f64;
  double d1 = 1.0, d0 = 0.0;
  float f1 = 1.0f, f0 = 0.0f;
};

// A plain NCHW descriptor, for the bias and dy in the bias ops (cheap to make per call).
struct TensorDesc {
  cudnnTensorDescriptor_t desc = nullptr;
  TensorDesc(DType dtype, int64_t n, int64_t c, int64_t h, int64_t w) {
    const int dims[4] = {to_int(n, "batch"), to_int(c, "channels"), to_int(h, "height"),
                         to_int(w, "width")};
    NABLA_CUDNN_CHECK(cudnnCreateTensorDescriptor(&desc));
    const cudnnStatus_t status = cudnnSetTensor4dDescriptor(
        desc, CUDNN_TENSOR_NCHW, cudnn_type(dtype), dims[0], dims[1], dims[2], dims[3]);
    if (status != CUDNN_STATUS_SUCCESS) cudnnDestroyTensorDescriptor(desc);
    NABLA_CUDNN_CHECK(status);
  }
  ~TensorDesc() { cudnnDestroyTensorDescriptor(desc); }
  TensorDesc(const TensorDesc&) = delete;
  TensorDesc& operator=(const TensorDesc&) = delete;
};

// The problem as cuDNN sees it: x's extent may differ from x's shape (see the file comment).
struct ConvProblem {
  DType dtype = DType::f32;
  cudnnMathType_t math = CUDNN_FMA_MATH;
  int64_t n = 0, c_in = 0, h = 0, w = 0;  // x
  int64_t ext_h = 0, ext_w = 0;           // the input extent cuDNN convolves
  int64_t c_out = 0, kh = 0, kw = 0, out_h = 0, out_w = 0;
  std::array<int64_t, 2> padding{}, stride{}, dilation{};
  int64_t groups = 1;

  bool staged() const { return ext_h != h || ext_w != w; }
  std::vector<int64_t> key(OpId op) const {
    return {static_cast<int64_t>(op), static_cast<int64_t>(dtype), static_cast<int64_t>(math),
            n, c_in, ext_h, ext_w, c_out, kh, kw, out_h, out_w, padding[0], padding[1],
            stride[0], stride[1], dilation[0], dilation[1], groups};
  }
};

// The input extent along one axis for which symmetric padding `pad` yields `out` outputs.
int64_t cudnn_extent(int64_t in, int64_t out, int64_t kernel, int64_t pad, int64_t stride,
                     int64_t dilation) {
  if (out < 1) return in;  // nothing to compute; the ops skip empty outputs
  const int64_t span = dilation * (kernel - 1) + 1;
  if (in + 2 * pad >= span && (in + 2 * pad - span) / stride + 1 == out) return in;
  const int64_t extent = (out - 1) * stride + span - 2 * pad;
  NABLA_CHECK(extent >= 1, "cuda conv2d: no input extent gives ", out, " outputs with kernel ",
              kernel, ", dilation ", dilation, ", stride ", stride, " and padding ", pad,
              " (input size ", in, "); the output shape does not match this geometry");
  return extent;
}

ConvProblem problem_of(const Conv2dArgs& a) {
  ConvProblem p;
  p.dtype = a.x.dtype;
  p.math = conv_math_type(a.x.dtype);
  p.n = a.x.shape[0];
  p.c_in = a.x.shape[1];
  p.h = a.x.shape[2];
  p.w = a.x.shape[3];
  p.c_out = a.weight.shape[0];
  p.kh = a.weight.shape[2];
  p.kw = a.weight.shape[3];
  p.out_h = a.y.shape[2];
  p.out_w = a.y.shape[3];
  p.padding = a.padding;
  p.stride = a.stride;
  p.dilation = a.dilation;
  p.groups = a.groups;
  p.ext_h = cudnn_extent(p.h, p.out_h, p.kh, p.padding[0], p.stride[0], p.dilation[0]);
  p.ext_w = cudnn_extent(p.w, p.out_w, p.kw, p.padding[1], p.stride[1], p.dilation[1]);
  return p;
}

// Descriptors and the chosen algorithm of one (op, problem); immutable once made.
struct ConvPlan {
  cudnnTensorDescriptor_t x = nullptr, y = nullptr;
  cudnnFilterDescriptor_t w = nullptr;
  cudnnConvolutionDescriptor_t conv = nullptr;
  int algo = 0;  // the op's cudnnConvolution{Fwd,BwdData,BwdFilter}Algo_t
  size_t workspace_bytes = 0;

  ConvPlan() = default;
  ConvPlan(const ConvPlan&) = delete;
  ConvPlan& operator=(const ConvPlan&) = delete;
  ~ConvPlan() {
    cudnnDestroyConvolutionDescriptor(conv);
    cudnnDestroyFilterDescriptor(w);
    cudnnDestroyTensorDescriptor(y);
    cudnnDestroyTensorDescriptor(x);
  }
};

void set_descriptors(ConvPlan& plan, const ConvProblem& p) {
  const cudnnDataType_t type = cudnn_type(p.dtype);
  NABLA_CUDNN_CHECK(cudnnCreateTensorDescriptor(&plan.x));
  NABLA_CUDNN_CHECK(cudnnCreateTensorDescriptor(&plan.y));
  NABLA_CUDNN_CHECK(cudnnCreateFilterDescriptor(&plan.w));
  NABLA_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&plan.conv));
  NABLA_CUDNN_CHECK(cudnnSetTensor4dDescriptor(
      plan.x, CUDNN_TENSOR_NCHW, type, to_int(p.n, "batch"), to_int(p.c_in, "in_channels"),
      to_int(p.ext_h, "height"), to_int(p.ext_w, "width")));
  NABLA_CUDNN_CHECK(cudnnSetTensor4dDescriptor(
      plan.y, CUDNN_TENSOR_NCHW, type, to_int(p.n, "batch"), to_int(p.c_out, "out_channels"),
      to_int(p.out_h, "output height"), to_int(p.out_w, "output width")));
  NABLA_CUDNN_CHECK(cudnnSetFilter4dDescriptor(
      plan.w, type, CUDNN_TENSOR_NCHW, to_int(p.c_out, "out_channels"),
      to_int(p.c_in / p.groups, "in_channels / groups"), to_int(p.kh, "kernel height"),
      to_int(p.kw, "kernel width")));
  NABLA_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(
      plan.conv, to_int(p.padding[0], "padding"), to_int(p.padding[1], "padding"),
      to_int(p.stride[0], "stride"), to_int(p.stride[1], "stride"),
      to_int(p.dilation[0], "dilation"), to_int(p.dilation[1], "dilation"),
      CUDNN_CROSS_CORRELATION, type));
  NABLA_CUDNN_CHECK(cudnnSetConvolutionGroupCount(plan.conv, to_int(p.groups, "groups")));
  NABLA_CUDNN_CHECK(cudnnSetConvolutionMathType(plan.conv, p.math));
}

// Picks the first of cuDNN's ranked results that succeeded, fits the workspace bound and whose
// workspace query agrees, deterministic algorithms before the others. Exact f32 keeps
// CUDNN_FMA_MATH whatever the result says (as PyTorch does); other modes take the result's math
// type, which the algorithm was ranked with.
template <class Perf, class WorkspaceOf>
void choose_algorithm(ConvPlan& plan, const ConvProblem& p, const Perf* results, int count,
                      WorkspaceOf&& workspace_of, const char* direction) {
  for (const bool need_deterministic : {true, false})
    for (int i = 0; i < count; ++i) {
      const Perf& r = results[i];
      if (r.status != CUDNN_STATUS_SUCCESS || r.memory > kMaxWorkspaceBytes) continue;
      if (need_deterministic && r.determinism != CUDNN_DETERMINISTIC) continue;
      const cudnnMathType_t math = p.math == CUDNN_FMA_MATH ? CUDNN_FMA_MATH : r.mathType;
      NABLA_CUDNN_CHECK(cudnnSetConvolutionMathType(plan.conv, math));
      size_t bytes = 0;
      if (workspace_of(r.algo, &bytes) != CUDNN_STATUS_SUCCESS || bytes > kMaxWorkspaceBytes)
        continue;
      plan.algo = static_cast<int>(r.algo);
      plan.workspace_bytes = bytes;
      return;
    }
  NABLA_FAIL("cuda conv2d: cuDNN offers no ", direction, " algorithm for input [", p.n, ", ",
             p.c_in, ", ", p.ext_h, ", ", p.ext_w, "], weight [", p.c_out, ", ",
             p.c_in / p.groups, ", ", p.kh, ", ", p.kw, "], groups ", p.groups, ", dtype ",
             p.dtype, "; run this convolution on the CPU (.to(Device::CPU))");
}

std::shared_ptr<const ConvPlan> make_plan(cudnnHandle_t handle, OpId op, const ConvProblem& p) {
  auto plan = std::make_shared<ConvPlan>();
  set_descriptors(*plan, p);
  ConvPlan& q = *plan;
  int count = 0;
  if (op == OpId::conv2d) {
    cudnnConvolutionFwdAlgoPerf_t results[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
    NABLA_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(
        handle, q.x, q.w, q.conv, q.y, CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &count, results));
    choose_algorithm(q, p, results, count, [&](cudnnConvolutionFwdAlgo_t algo, size_t* bytes) {
      return cudnnGetConvolutionForwardWorkspaceSize(handle, q.x, q.w, q.conv, q.y, algo, bytes);
    }, "forward");
  } else if (op == OpId::conv2d_input_grad) {
    cudnnConvolutionBwdDataAlgoPerf_t results[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
    NABLA_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(
        handle, q.w, q.y, q.conv, q.x, CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &count, results));
    choose_algorithm(q, p, results, count, [&](cudnnConvolutionBwdDataAlgo_t algo, size_t* bytes) {
      return cudnnGetConvolutionBackwardDataWorkspaceSize(handle, q.w, q.y, q.conv, q.x, algo,
                                                          bytes);
    }, "backward-data");
  } else {
    cudnnConvolutionBwdFilterAlgoPerf_t results[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
    NABLA_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
        handle, q.x, q.y, q.conv, q.w, CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &count, results));
    choose_algorithm(q, p, results, count,
                     [&](cudnnConvolutionBwdFilterAlgo_t algo, size_t* bytes) {
                       return cudnnGetConvolutionBackwardFilterWorkspaceSize(
                           handle, q.x, q.y, q.conv, q.w, algo, bytes);
                     }, "backward-filter");
  }
  return plan;
}

// The process's plans. Lookups hold the lock; a plan in use stays alive through its
// shared_ptr even if the cache is cleared meanwhile.
std::shared_ptr<const ConvPlan> plan_for(cudnnHandle_t handle, OpId op, const ConvProblem& p) {
  static std::mutex mutex;
  static std::map<std::vector<int64_t>, std::shared_ptr<const ConvPlan>> plans;
  const std::vector<int64_t> key = p.key(op);
  std::lock_guard<std::mutex> lock(mutex);
  const auto found = plans.find(key);
  if (found != plans.end()) return found->second;
  if (plans.size() >= kMaxPlans) plans.clear();
  auto plan = make_plan(handle, op, p);
  plans.emplace(key, plan);
  return plan;
}

// Device scratch from the backend's caching allocator, returned when the op is queued (all work
// runs on one stream, so the next user of the block runs after this op's kernels).
class Scratch {
 public:
  Scratch(CudaBackend& backend, size_t bytes)
      : backend_(backend), bytes_(bytes), data_(bytes ? backend.allocate(bytes) : nullptr) {}
  ~Scratch() {
    if (data_) backend_.deallocate(data_, bytes_);
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  void* data() const { return data_; }

 private:
  CudaBackend& backend_;
  size_t bytes_;
  void* data_;
};

// dst[plane, h, w] = src[plane, h, w] where both have the position, 0 elsewhere in dst.
void copy_planes(cudaStream_t stream, size_t element, int64_t planes, void* dst, int64_t dst_h,
                 int64_t dst_w, const void* src, int64_t src_h, int64_t src_w) {
  if (dst_h > src_h || dst_w > src_w)
    NABLA_CUDA_CHECK(cudaMemsetAsync(dst, 0, element * planes * dst_h * dst_w, stream));
  cudaMemcpy3DParms copy{};
  copy.srcPtr = make_cudaPitchedPtr(const_cast<void*>(src), element * src_w, src_w, src_h);
  copy.dstPtr = make_cudaPitchedPtr(dst, element * dst_w, dst_w, dst_h);
  copy.extent = make_cudaExtent(element * std::min(src_w, dst_w), std::min(src_h, dst_h), planes);
  copy.kind = cudaMemcpyDeviceToDevice;
  NABLA_CUDA_CHECK(cudaMemcpy3DAsync(&copy, stream));
}

size_t staged_bytes(const ConvProblem& p) {
  return p.staged() ? dtype_size(p.dtype) * p.n * p.c_in * p.ext_h * p.ext_w : 0;
}

// x in the extent cuDNN convolves: x itself, or a staged copy in `scratch`.
const void* input_for_cudnn(CudaBackend& b, const ConvProblem& p, const View& x,
                            const Scratch& scratch) {
  if (!p.staged()) return x.data;
  copy_planes(b.stream(), dtype_size(p.dtype), p.n * p.c_in, scratch.data(), p.ext_h, p.ext_w,
              x.data, p.h, p.w);
  return scratch.data();
}

void zero(CudaBackend& b, const View& v) {
  NABLA_CUDA_CHECK(cudaMemsetAsync(v.data, 0, dtype_size(v.dtype) * v.numel(), b.stream()));
}

void conv_forward(CudaBackend& b, const ConvProblem& p, const Conv2dArgs& a) {
  if (a.y.numel() == 0) return;
  const Scalars s(p.dtype);
  if (a.x.numel() == 0 || a.weight.numel() == 0) {
    zero(b, a.y);  // an empty sum (no input channels)
  } else {
    const auto plan = plan_for(b.cudnn(), OpId::conv2d, p);
    const Scratch staged(b, staged_bytes(p));
    const void* x = input_for_cudnn(b, p, a.x, staged);
    void* workspace = plan->workspace_bytes ? b.workspace(plan->workspace_bytes) : nullptr;
    NABLA_CUDNN_CHECK(cudnnConvolutionForward(
        b.cudnn(), s.one(), plan->x, x, plan->w, a.weight.data, plan->conv,
        static_cast<cudnnConvolutionFwdAlgo_t>(plan->algo), workspace, plan->workspace_bytes,
        s.zero(), plan->y, a.y.data));
  }
  if (!a.bias.data) return;
  const TensorDesc bias(p.dtype, 1, p.c_out, 1, 1), y(p.dtype, p.n, p.c_out, p.out_h, p.out_w);
  NABLA_CUDNN_CHECK(cudnnAddTensor(b.cudnn(), s.one(), bias.desc, a.bias.data, s.one(), y.desc,
                                   a.y.data));
}

void conv_input_grad(CudaBackend& b, const ConvProblem& p, const Conv2dArgs& a) {
  if (a.x.numel() == 0) return;
  if (a.y.numel() == 0 || a.weight.numel() == 0) return zero(b, a.x);
  const auto plan = plan_for(b.cudnn(), OpId::conv2d_input_grad, p);
  const Scalars s(p.dtype);
  const Scratch staged(b, staged_bytes(p));
  void* dx = p.staged() ? staged.data() : a.x.data;
  void* workspace = plan->workspace_bytes ? b.workspace(plan->workspace_bytes) : nullptr;
  NABLA_CUDNN_CHECK(cudnnConvolutionBackwardData(
      b.cudnn(), s.one(), plan->w, a.weight.data, plan->y, a.y.data, plan->conv,
      static_cast<cudnnConvolutionBwdDataAlgo_t>(plan->algo), workspace, plan->workspace_bytes,
      s.zero(), plan->x, dx));
  if (p.staged())
    copy_planes(b.stream(), dtype_size(p.dtype), p.n * p.c_in, a.x.data, p.h, p.w, dx, p.ext_h,
                p.ext_w);
}

void conv_weight_grad(CudaBackend& b, const ConvProblem& p, const Conv2dArgs& a) {
  const Scalars s(p.dtype);
  if (a.weight.numel() > 0) {
    if (a.x.numel() == 0 || a.y.numel() == 0) {
      zero(b, a.weight);  // an empty batch contributes nothing
    } else {
      const auto plan = plan_for(b.cudnn(), OpId::conv2d_weight_grad, p);
      const Scratch staged(b, staged_bytes(p));
      const void* x = input_for_cudnn(b, p, a.x, staged);
      void* workspace = plan->workspace_bytes ? b.workspace(plan->workspace_bytes) : nullptr;
      NABLA_CUDNN_CHECK(cudnnConvolutionBackwardFilter(
          b.cudnn(), s.one(), plan->x, x, plan->y, a.y.data, plan->conv,
          static_cast<cudnnConvolutionBwdFilterAlgo_t>(plan->algo), workspace,
          plan->workspace_bytes, s.zero(), plan->w, a.weight.data));
    }
  }
  if (!a.bias.data || a.bias.numel() == 0) return;
  if (a.y.numel() == 0) return zero(b, a.bias);
  const TensorDesc dy(p.dtype, p.n, p.c_out, p.out_h, p.out_w), db(p.dtype, 1, p.c_out, 1, 1);
  NABLA_CUDNN_CHECK(cudnnConvolutionBackwardBias(b.cudnn(), s.one(), dy.desc, a.y.data, s.zero(),
                                                 db.desc, a.bias.data));
}

}  // namespace

void CudaBackend::conv2d(OpId op, const Conv2dArgs& args) {
  NABLA_CHECK(args.x.dtype == DType::f32 || args.x.dtype == DType::f64, "cuda ", op_name(op),
              ": needs f32 or f64 tensors, got ", args.x.dtype, "; convert with .to(DType)");
  const ConvProblem problem = problem_of(args);
  switch (op) {
    case OpId::conv2d: return conv_forward(*this, problem, args);
    case OpId::conv2d_input_grad: return conv_input_grad(*this, problem, args);
    case OpId::conv2d_weight_grad: return conv_weight_grad(*this, problem, args);
    default: NABLA_FAIL("cuda conv2d: op '", op_name(op), "' is not a conv2d op");
  }
}

}  // namespace nabla::cuda
