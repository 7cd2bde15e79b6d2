// A training batch on its way to the model's device, for double buffering: the trainer stages
// batch k + 1 (input transform on the host, then an asynchronous copy) before it queues step k,
// so on CUDA the copy travels while step k computes (Backend::copy_from_host_async: pinned
// staging buffers and a copy stream). For a CPU model the batch stays where it is, and staging is
// the input transform alone, so CPU training computes exactly what it did without staging.
//
//   auto next = std::make_unique<StagedBatch>(std::move(batch), transform, model.device());
//   ...                                        // queue the current step
//   next->ready();                             // the device's later work waits for the copies
//   step(next->inputs(), next->targets());
#pragma once

#include "nabla/data/loader.hpp"
#include "nabla/train/inference.hpp"

namespace nabla::train::detail {

class StagedBatch {
 public:
  StagedBatch(data::Batch batch, const InputTransform& transform, Device device);
  // A batch dropped before ready() (a run stopped after the step before it) is still ordered
  // after its copies, so its device memory is not reused while they run.
  ~StagedBatch();
  StagedBatch(const StagedBatch&) = delete;
  StagedBatch& operator=(const StagedBatch&) = delete;

  // Orders the device's work queued from now on after this batch's copies (and every copy
  // issued before them); no host wait.
  void ready();
  const data::Batch& host() const { return batch_; }  // as the loader gave it
  const Tensor& inputs() const;   // transformed, on the device; after ready()
  const Tensor& targets() const;  // on the device; after ready()

 private:
  data::Batch batch_;
  Device device_;
  Tensor inputs_, targets_;
  bool ready_ = false;
};

}  // namespace nabla::train::detail
