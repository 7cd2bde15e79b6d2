// Tensor: a cheap, shared handle to a view (shape, strides, offset, dtype) of reference-counted
// storage. Copying a Tensor copies the handle, not the data; views (reshape, transpose, slice,
// expand, ...) share storage, and `contiguous()` / `clone()` copy.
//
//   auto x = nabla::randn({2, 3}, {.dtype = nabla::DType::f64, .requires_grad = true});
//   auto y = (x * x).sum();
//   y.backward();            // x.grad() == 2 * x
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <memory>
#include <ostream>
#include <vector>

#include "nabla/device.hpp"
#include "nabla/dtype.hpp"
#include "nabla/error.hpp"
#include "nabla/shape.hpp"

namespace nabla {

struct TensorImpl;  // src/core/tensor_impl.hpp
namespace autograd { class Node; }

// Options of every factory, with PyTorch's defaults; use designated initialisers:
// zeros({2, 3}, {.dtype = DType::f64, .requires_grad = true}).
struct TensorOptions {
  DType dtype = DType::f32;
  Device device = Device::CPU;
  bool requires_grad = false;
};

// A list of dims for reductions and permutations: `sum(x, 1)` or `sum(x, {0, 2})`.
struct Dims {
  std::vector<int64_t> values;
  Dims() = default;
  Dims(int64_t dim) : values{dim} {}                              // NOLINT: implicit on purpose
  Dims(std::initializer_list<int64_t> dims) : values(dims) {}     // NOLINT
  Dims(std::vector<int64_t> dims) : values(std::move(dims)) {}    // NOLINT
};

class Tensor {
 public:
  Tensor() = default;  // undefined: holds nothing, as an optional gradient does
  explicit Tensor(std::shared_ptr<TensorImpl> impl);

  bool defined() const { return impl_ != nullptr; }
  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }
  bool is_same(const Tensor& other) const { return impl_ == other.impl_; }

  // Metadata.
  const Shape& shape() const;
  const Strides& strides() const;
  int64_t dim() const;
  int64_t size(int64_t dim) const;   // negative dims count from the end
  int64_t stride(int64_t dim) const;
  int64_t offset() const;            // in elements, into the storage
  int64_t numel() const;
  DType dtype() const;
  Device device() const;
  bool is_contiguous() const;

  // Data. data<T>() checks that T matches dtype() and that the memory is the host's;
  // pointers address element 0 of the view (data_ptr() a device address on a GPU).
  void* data_ptr() const;
  template <class T> T* data() const {
    NABLA_CHECK(dtype_of<T>::value == dtype(), "Tensor::data<T>(): tensor holds ", dtype(),
                ", asked for ", dtype_of<T>::value, "; convert with .to(DType)");
    NABLA_CHECK(device().kind == Device::CPU, "Tensor::data<T>(): the tensor lives on ",
                device(), ", whose memory the host cannot read; copy it with .to(Device::CPU) "
                "(or read it with to_vector() / item())");
    return static_cast<T*>(data_ptr());
  }
  double item() const;  // the single element of a one-element tensor, as double
  template <class T> std::vector<T> to_vector() const;  // row-major copy of the elements

  // Autograd.
  bool requires_grad() const;
  const Tensor& requires_grad_(bool on = true) const;  // leaves only
  bool is_leaf() const;
  Tensor grad() const;                     // undefined until a backward reaches this leaf
  void set_grad(const Tensor& grad) const; // optimizers and zero_grad use it; undefined clears
  const std::shared_ptr<autograd::Node>& grad_fn() const;
  // Seeds with ones when the tensor has one element; otherwise pass a gradient of its shape.
  void backward(const Tensor& grad = {}, bool retain_graph = false) const;
  Tensor detach() const;  // same storage, no history
  uint64_t version() const;  // bumped by every in-place change of the storage

  // Conversions and copies.
  Tensor to(DType dtype) const;
  Tensor to(Device device) const;
  Tensor contiguous() const;  // itself when already contiguous
  Tensor clone() const;       // always a new contiguous copy, differentiable

  // Views (see ops.hpp for the contracts); members for the common chains.
  Tensor view(const Shape& shape) const;
  Tensor reshape(const Shape& shape) const;
  Tensor transpose(int64_t dim0, int64_t dim1) const;
  Tensor t() const;  // transpose(0, 1) of a 2-D tensor
  Tensor permute(const Dims& dims) const;
  Tensor slice(int64_t dim, int64_t start, int64_t end, int64_t step = 1) const;
  Tensor narrow(int64_t dim, int64_t start, int64_t length) const;
  Tensor expand(const Shape& shape) const;
  Tensor squeeze(int64_t dim) const;
  Tensor unsqueeze(int64_t dim) const;
  Tensor flatten(int64_t start_dim = 0, int64_t end_dim = -1) const;
  Tensor sum() const;
  Tensor mean() const;

  // In-place updates. They bump version() and refuse tensors that take part in autograd
  // (use the out-of-place op, or wrap parameter updates in a NoGradGuard). Const, as in
  // PyTorch's C++ API: they change the data, not the handle.
  const Tensor& fill_(double value) const;
  const Tensor& zero_() const;
  const Tensor& copy_(const Tensor& src) const;  // broadcasts src to this shape, converts dtype
  const Tensor& add_(const Tensor& other, double alpha = 1.0) const;  // this += alpha * other
  const Tensor& mul_(double factor) const;
  // Random fills from the global generator, as torch's Tensor.uniform_ / normal_: the same
  // numbers as rand / randn of this shape would give, written without a temporary.
  const Tensor& uniform_(double from = 0.0, double to = 1.0) const;
  const Tensor& normal_(double mean = 0.0, double std = 1.0) const;

 private:
  std::shared_ptr<TensorImpl> impl_;
};

std::ostream& operator<<(std::ostream& out, const Tensor& tensor);

// Factories (PyTorch's names and defaults).
Tensor empty(const Shape& shape, TensorOptions options = {});
Tensor zeros(const Shape& shape, TensorOptions options = {});
Tensor ones(const Shape& shape, TensorOptions options = {});
Tensor full(const Shape& shape, double value, TensorOptions options = {});
Tensor zeros_like(const Tensor& like);
Tensor ones_like(const Tensor& like);
Tensor full_like(const Tensor& like, double value);
Tensor scalar_tensor(double value, TensorOptions options = {});  // 0-d
Tensor arange(double end, TensorOptions options = {});
Tensor arange(double start, double end, double step = 1.0, TensorOptions options = {});
Tensor linspace(double start, double end, int64_t steps, TensorOptions options = {});
Tensor eye(int64_t n, TensorOptions options = {});
Tensor eye(int64_t n, int64_t m, TensorOptions options = {});
// Random factories draw from the global generator (random.hpp): uniform [0, 1), standard
// normal, and integers uniform in [low, high) (int64 unless options say otherwise).
Tensor rand(const Shape& shape, TensorOptions options = {});
Tensor randn(const Shape& shape, TensorOptions options = {});
Tensor randint(int64_t low, int64_t high, const Shape& shape,
               TensorOptions options = {.dtype = DType::i64});
// Copies `values` (row-major) into a new CPU tensor of `shape`; T fixes the dtype
// (float, double, int64_t or bool). Move it elsewhere with .to(Device).
// The attribute: GCC gives the explicit instantiations in factories.cpp the visibility in force
// there (hidden in libnabla.so), not the header's pragma.
template <class T>
[[gnu::visibility("default")]] Tensor from_vector(const std::vector<T>& values, const Shape& shape,
                                                  bool requires_grad = false);
template <class T>
Tensor from_vector(const std::vector<T>& values) {  // 1-D
  return from_vector(values, {static_cast<int64_t>(values.size())});
}
// Copies numel(shape) elements of options.dtype from host memory at `data`.
Tensor from_blob(const void* data, const Shape& shape, TensorOptions options = {});

}  // namespace nabla

#pragma GCC visibility pop
