// The narrow interface every device implements, and the one dispatch point. Ops validate their
// arguments and allocate outputs; kernels only compute. A new device is a new folder under
// src/backend/ with a Backend subclass, hooked into backend_for() in dispatch.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <vector>

#include "nabla/memory.hpp"
#include "nabla/tensor.hpp"

namespace nabla {

enum class OpId : int {
#define NABLA_OP(name, family) name,
#include "ops/op_list.def"
#undef NABLA_OP
};
constexpr int kOpCount = 0
#define NABLA_OP(name, family) +1
#include "ops/op_list.def"
#undef NABLA_OP
    ;
const char* op_name(OpId op);
const char* op_family(OpId op);

// A kernel's view of a tensor: no ownership, no autograd. Strides are in elements.
struct View {
  void* data = nullptr;
  DType dtype = DType::f32;
  Shape shape;
  Strides strides;

  int64_t numel() const { return shape_numel(shape); }
  int64_t dim() const { return static_cast<int64_t>(shape.size()); }
  template <class T> T* ptr() const { return static_cast<T*>(data); }
};
// An undefined tensor gives an empty View (data null): the form of an absent optional operand.
View view_of(const Tensor& t);

// Scalar parameters of unary kernels: pow_scalar uses `a`; clamp uses [a, b] with the has_*
// flags saying which bound applies.
struct UnaryArgs {
  double a = 0.0, b = 0.0;
  bool has_a = false, has_b = false;
};

// out[..., m, n] = a[..., m, k] @ b[..., k, n] for every batch index; batch dims are broadcast
// already (zero strides). Each matrix has a BLAS layout (below); `out` is contiguous.
struct GemmArgs {
  View out, a, b;
};

// How BLAS reads a rows x cols matrix with the given element strides: row-major with leading
// dimension `ld`, or its transpose. Empty when neither fits and the matrix must be copied.
struct MatrixLayout {
  bool transposed = false;
  int64_t ld = 1;
};
std::optional<MatrixLayout> blas_layout(int64_t rows, int64_t cols, int64_t row_stride,
                                        int64_t col_stride);

// One fused optimizer update (torch 1.13's single-tensor rules): one pass reads param, grad and
// the op's state buffers and writes param and state in place. All views are contiguous, of one
// shape and dtype. The state buffers, by op (unused slots have data == nullptr):
//   sgd_step       state[0] momentum_buffer (momentum != 0; first_step copies the grad into it)
//   adagrad_step   state[0] sum
//   adadelta_step  state[0] square_avg, state[1] acc_delta
//   rmsprop_step   state[0] square_avg, state[1] momentum_buffer (momentum > 0),
//                  state[2] grad_avg (centered)
//   adam_step      state[0] exp_avg, state[1] exp_avg_sq, state[2] max_exp_avg_sq (amsgrad)
struct OptimizerStepArgs {
  View param, grad;
  std::array<View, 3> state{};
  double lr = 0.0, weight_decay = 0.0, eps = 0.0;
  double momentum = 0.0, dampening = 0.0;  // sgd; rmsprop uses momentum
  double lr_decay = 0.0;                   // adagrad
  double rho = 0.0;                        // adadelta
  double alpha = 0.0;                      // rmsprop
  double beta1 = 0.0, beta2 = 0.0;         // adam
  int64_t step = 0;                        // adagrad, adam: this update's count, from 1
  bool first_step = false;                 // sgd: the momentum buffer is still empty
  bool nesterov = false, maximize = false, centered = false, amsgrad = false;
  bool decoupled_weight_decay = false;     // adam_step as AdamW: p *= 1 - lr * weight_decay
};

// conv2d over contiguous NCHW tensors; weight [C_out, C_in / groups, kH, kW]. By op:
//   conv2d              y = conv(x, weight) + bias (bias.data null: none)
//   conv2d_input_grad   x := dx from dy (in y) and weight
//   conv2d_weight_grad  weight := dw, bias := db (when bias.data) from x and dy (in y)
// padding is the top/left padding; output sizes come from y's shape, so an asymmetric
// ("same") padding needs no extra field: positions past the bottom/right edge read zeros.
struct Conv2dArgs {
  View x, weight, bias, y;
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t groups = 1;
};

// 2-D pooling over contiguous [N, C, H, W] tensors. Forward ops write `out` from `in` (max
// pooling also writes int64 `indices`, the argmax's flat h * W + w in its input plane);
// *_backward ops write grad_in (in `in`) from grad_out (in `out`). adaptive_avg_pool2d takes
// its windows from the shapes and ignores kernel/stride/padding.
struct Pool2dArgs {
  View out, in, indices;
  std::array<int64_t, 2> kernel{1, 1}, stride{1, 1}, padding{0, 0}, dilation{1, 1};
  bool count_include_pad = true;
  int64_t divisor_override = 0;  // 0: none
};

// Normalisation over contiguous tensors (weight, bias, running stats: data null when absent).
//   batch_norm:  x [N, C, S], stats per channel over N and S into mean/invstd [C]; training
//                updates running_mean / running_var (unbiased) with momentum; eval normalises
//                with the running stats.
//   group_norm:  x [N, G, D, S] (D = channels per group), stats per (n, g) over D and S into
//                mean/invstd [N, G]; weight and bias are per channel [G * D]. Layer norm is
//                G = 1, S = 1; instance norm is D = 1.
//   *_backward:  grad_x (and grad_weight, grad_bias when their data is set) from grad_y, x,
//                weight and the saved mean/invstd.
struct NormArgs {
  View x, y, weight, bias, mean, invstd, running_mean, running_var;
  View grad_y, grad_x, grad_weight, grad_bias;
  int64_t groups = 1;
  bool training = true;
  double momentum = 0.1, eps = 1e-5;
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Device::Kind kind() const = 0;
  virtual bool supports(OpId op, DType dtype) const = 0;

  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* data, size_t bytes) = 0;
  virtual MemoryStats memory_stats() const = 0;
  virtual void empty_cache() = 0;
  // Moves between host memory and this device's; both return once the bytes have arrived. On the
  // CPU, device memory is host memory.
  virtual void copy_to_host(void* host, const void* device_data, size_t bytes) {
    if (bytes > 0) std::memcpy(host, device_data, bytes);
  }
  virtual void copy_from_host(void* device_data, const void* host, size_t bytes) {
    if (bytes > 0) std::memcpy(device_data, host, bytes);
  }
  // Host → device without waiting for the bytes to arrive, so an input batch's transfer
  // overlaps the compute queued before it (CUDA: staged through a cached pinned buffer and sent
  // on a copy stream; src/backend/cuda/host_staging.hpp). `host` may be reused as soon as this
  // returns. Until order_after_copies() is called, this device's work must not touch
  // `device_data`, and its memory must stay allocated. Default: the synchronous copy_from_host.
  virtual void copy_from_host_async(void* device_data, const void* host, size_t bytes) {
    copy_from_host(device_data, host, bytes);
  }
  // Orders every kernel queued from now on after every copy_from_host_async issued so far,
  // without blocking the host. Nothing to do where those copies are synchronous.
  virtual void order_after_copies() {}
  // Waits for every kernel (and copy) queued so far (a device with queues, as CUDA's streams).
  virtual void synchronize() {}

  // dst = src, elementwise over dst's shape (src broadcast), converting dtype.
  virtual void copy(const View& dst, const View& src) = 0;
  virtual void fill(const View& dst, double value) = 0;
  // uniform [a, b), normal (mean a, std b), randint [a, b), from Philox at (seed, offset).
  virtual void random(OpId op, const View& dst, uint64_t seed, uint64_t offset, double a,
                      double b) = 0;
  virtual void unary(OpId op, const View& out, const View& in, const UnaryArgs& args) = 0;
  // a and b come broadcast to out's shape; comparisons write bool.
  virtual void binary(OpId op, const View& out, const View& a, const View& b) = 0;
  virtual void where(const View& out, const View& condition, const View& a, const View& b) = 0;
  // out has in's rank with size 1 along the reduced dims; elements combine in a fixed order.
  virtual void reduce(OpId op, const View& out, const View& in) = 0;
  virtual void gemm(const GemmArgs& args) = 0;
  // Along `dim` of contiguous tensors of one shape.
  virtual void softmax(OpId op, const View& out, const View& in, int64_t dim) = 0;
  // grad_in from grad_out and the forward output `out`.
  virtual void softmax_backward(OpId op, const View& grad_in, const View& grad_out,
                                const View& out, int64_t dim) = 0;
  // index_select: out = in.index_select(dim, index); index_add: out.index_add_(dim, index, in);
  // gather: out = in.gather(dim, index); scatter_add: out.scatter_add_(dim, index, in).
  virtual void index(OpId op, const View& out, const View& in, int64_t dim,
                     const View& index) = 0;
  // The optimizer family of op_list.def; see OptimizerStepArgs.
  virtual void optimizer_step(OpId op, const OptimizerStepArgs& args) = 0;
  // The conv2d, pool2d and norm families of op_list.def; see their argument structs.
  virtual void conv2d(OpId op, const Conv2dArgs& args) = 0;
  virtual void pool2d(OpId op, const Pool2dArgs& args) = 0;
  virtual void norm(OpId op, const NormArgs& args) = 0;
};

// The one dispatch point: the backend of `device`, after checking it has a kernel for
// (op, dtype). Throws an Error naming op, dtype and device otherwise.
Backend& dispatch(OpId op, Device device, DType dtype);
// The backend of a device, for memory; throws if nabla was built without it.
Backend& backend_for(Device device);
// Copies `bytes` of raw memory from `src` on `src_device` to `dst` on `dst_device` (the host
// side through the other side's copy_to_host / copy_from_host); returns once it has arrived.
void copy_between_devices(void* dst, Device dst_device, const void* src, Device src_device,
                          size_t bytes);

}  // namespace nabla
