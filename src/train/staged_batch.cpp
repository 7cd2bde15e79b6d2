#include "staged_batch.hpp"

#include "backend/backend.hpp"

namespace nabla::train::detail {

namespace {

// `host` on `device`, its bytes on the way (Backend::copy_from_host_async). A tensor already
// there is used as it is; one on another device than the host takes the synchronous .to().
Tensor start_copy(const Tensor& host, Device device) {
  if (host.device() == device) return host;
  if (host.device().kind != Device::CPU) return host.to(device);
  const Tensor source = host.contiguous();
  Tensor out = empty(source.shape(), {.dtype = source.dtype(), .device = device});
  backend_for(device).copy_from_host_async(out.data_ptr(), source.data_ptr(),
                                           static_cast<size_t>(source.numel()) *
                                               dtype_size(source.dtype()));
  return out;
}

}  // namespace

StagedBatch::StagedBatch(data::Batch batch, const InputTransform& transform, Device device)
    : batch_(std::move(batch)), device_(device) {
  inputs_ = start_copy(transform ? transform(batch_.inputs) : batch_.inputs, device_);
  targets_ = start_copy(batch_.targets, device_);
}

StagedBatch::~StagedBatch() {
  if (ready_ || device_.kind == Device::CPU) return;
  try {
    ready();
  } catch (...) {  // a destructor must not throw; a device error shows at the next call anyway
  }
}

void StagedBatch::ready() {
  if (device_.kind != Device::CPU) backend_for(device_).order_after_copies();
  ready_ = true;
}

const Tensor& StagedBatch::inputs() const {
  NABLA_CHECK(ready_, "StagedBatch: inputs() before ready(); call ready() first");
  return inputs_;
}

const Tensor& StagedBatch::targets() const {
  NABLA_CHECK(ready_, "StagedBatch: targets() before ready(); call ready() first");
  return targets_;
}

}  // namespace nabla::train::detail
