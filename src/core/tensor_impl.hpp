// What a Tensor handle points at: a view (shape, strides, offset, dtype) of shared Storage,
// plus the autograd fields. Private to the library.
#pragma once

#include <atomic>
#include <memory>

#include "nabla/autograd.hpp"
#include "nabla/tensor.hpp"

namespace nabla {

// A block of device memory. The version counter lives here, so every view of the storage sees
// an in-place change made through any other view.
struct Storage {
  Storage(size_t bytes, Device device);
  ~Storage();
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;

  void* data = nullptr;
  size_t bytes = 0;
  Device device;
  std::atomic<uint64_t> version{0};
};

struct TensorImpl {
  std::shared_ptr<Storage> storage;
  Shape shape;
  Strides strides;
  int64_t offset = 0;
  DType dtype = DType::f32;

  // Autograd. A leaf that requires grad gets `grad` from AccumulateGrad; a non-leaf has grad_fn.
  bool requires_grad = false;
  std::shared_ptr<TensorImpl> grad;
  std::shared_ptr<autograd::Node> grad_fn;
  std::weak_ptr<autograd::Node> grad_accumulator;  // shared by every use of a leaf

  char* data_bytes() const {
    return static_cast<char*>(storage->data) + offset * static_cast<int64_t>(dtype_size(dtype));
  }
};

// A new contiguous tensor with uninitialised memory.
Tensor make_tensor(const Shape& shape, DType dtype, Device device);

enum class OpId : int;  // backend/backend.hpp
// Fills contiguous `t` from the next slice of the global Philox stream: uniform [a, b) or
// normal (mean a, std b). rand/randn and Tensor::uniform_/normal_ all draw through it, so the
// same seed gives the same numbers whichever was called.
void draw_random(OpId op, const Tensor& t, double a, double b);
// A view of `base`'s storage with other geometry, no autograd history.
Tensor make_view(const Tensor& base, Shape shape, Strides strides, int64_t offset);
// Throws unless an in-place change of `t` is safe for autograd; `op` names the caller.
void check_inplace_allowed(const Tensor& t, const char* op);
void bump_version(const Tensor& t);

}  // namespace nabla
