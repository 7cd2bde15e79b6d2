#include "backend/backend.hpp"
#include "core/tensor_impl.hpp"

namespace nabla {

Storage::Storage(size_t bytes_, Device device_) : bytes(bytes_), device(device_) {
  data = backend_for(device).allocate(bytes);
}

Storage::~Storage() { backend_for(device).deallocate(data, bytes); }

Tensor make_tensor(const Shape& shape, DType dtype, Device device) {
  for (int64_t s : shape)
    NABLA_CHECK(s >= 0, "tensor: negative size ", s, " in shape ", shape);
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = std::make_shared<Storage>(shape_numel(shape) * dtype_size(dtype), device);
  impl->shape = shape;
  impl->strides = contiguous_strides(shape);
  impl->dtype = dtype;
  return Tensor(std::move(impl));
}

Tensor make_view(const Tensor& base, Shape shape, Strides strides, int64_t offset) {
  auto impl = std::make_shared<TensorImpl>();
  impl->storage = base.impl()->storage;
  impl->shape = std::move(shape);
  impl->strides = std::move(strides);
  impl->offset = offset;
  impl->dtype = base.dtype();
  return Tensor(std::move(impl));
}

void check_inplace_allowed(const Tensor& t, const char* op) {
  NABLA_CHECK(!(autograd::grad_enabled() && t.requires_grad()), op,
              ": in-place change of a tensor that requires grad (shape ", t.shape(),
              "); use the out-of-place op, or wrap the update in a NoGradGuard as optimizers do");
}

void bump_version(const Tensor& t) { t.impl()->storage->version.fetch_add(1); }

}  // namespace nabla
