// The narrow interface every device implements, and the one dispatch point. Ops validate their
// arguments and allocate outputs; kernels only compute. A new device is a new folder under
// src/backend/ with a Backend subclass, hooked into backend_for() in dispatch.cpp.
#pragma once

#include <cstdint>
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

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Device::Kind kind() const = 0;
  virtual bool supports(OpId op, DType dtype) const = 0;

  virtual void* allocate(size_t bytes) = 0;
  virtual void deallocate(void* data, size_t bytes) = 0;
  virtual MemoryStats memory_stats() const = 0;
  virtual void empty_cache() = 0;

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
};

// The one dispatch point: the backend of `device`, after checking it has a kernel for
// (op, dtype). Throws an Error naming op, dtype and device otherwise.
Backend& dispatch(OpId op, Device device, DType dtype);
// The backend of a device, for memory; throws if nabla was built without it.
Backend& backend_for(Device device);

}  // namespace nabla
