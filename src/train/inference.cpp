#include "nabla/train/inference.hpp"

#include <optional>

#include "nabla/autograd.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/ops.hpp"

namespace nabla::train {

namespace {

// Runs `per_batch` on each batch of inputs in eval mode without gradients; concatenates along
// dim 0.
template <class PerBatch>
Tensor batched(nn::Module& model, const Tensor& inputs, const InputTransform& transform,
               int64_t batch_size, const char* what, PerBatch per_batch) {
  NABLA_CHECK(inputs.defined() && inputs.dim() >= 1 && inputs.size(0) > 0, what,
              ": expected inputs [N, ...] with N >= 1");
  NABLA_CHECK(batch_size >= 1, what, ": batch_size must be >= 1, got ", batch_size);
  EvalMode eval_mode(model);
  autograd::NoGradGuard no_grad;
  std::vector<Tensor> parts;
  const Device device = model.device();  // batches move there (the transform runs on the host)
  for (int64_t start = 0; start < inputs.size(0); start += batch_size) {
    const int64_t rows = std::min(batch_size, inputs.size(0) - start);
    const Tensor raw = inputs.narrow(0, start, rows);
    parts.push_back(per_batch((transform ? transform(raw) : raw).to(device)).to(Device::CPU));
  }
  return parts.size() == 1 ? parts[0] : cat(parts, 0);
}

}  // namespace

Tensor predict_logits(nn::Module& model, const Tensor& inputs, const InputTransform& transform,
                      int64_t batch_size) {
  return batched(model, inputs, transform, batch_size, "predict", [&](const Tensor& x) {
    const Tensor logits = model(x);
    NABLA_CHECK(logits.dim() == 2, "predict: the model's output has shape ", logits.shape(),
                "; nabla's tasks need outputs [B, classes or targets]");
    return logits;
  });
}

Tensor predict_probabilities(nn::Module& model, const Tensor& inputs,
                             const InputTransform& transform, int64_t batch_size) {
  return softmax(predict_logits(model, inputs, transform, batch_size), 1);
}

Tensor task_predictions(data::Task task, const Tensor& outputs) {
  switch (task) {
    case data::Task::classification: return softmax(outputs, 1);
    case data::Task::multilabel: return sigmoid(outputs);
    case data::Task::regression: return outputs;
  }
  return outputs;
}

Tensor predict_view_average(nn::Module& model, const Tensor& inputs, data::Task task,
                            const ViewMaker& views, const InputTransform& transform,
                            int64_t batch_size) {
  const Device device = model.device();
  return batched(model, inputs, {}, batch_size, "predict_view_average", [&](const Tensor& raw) {
    const std::vector<Tensor> batch_views = views(raw);
    NABLA_CHECK(!batch_views.empty(), "predict_view_average: the view maker gave no views");
    Tensor sum;
    for (const Tensor& view : batch_views) {
      const Tensor outputs = model((transform ? transform(view) : view).to(device));
      NABLA_CHECK(outputs.dim() == 2, "predict_view_average: the model's output has shape ",
                  outputs.shape(), "; nabla's tasks need outputs [B, classes or targets]");
      const Tensor predictions = task_predictions(task, outputs);
      sum = sum.defined() ? sum + predictions : predictions;
    }
    return sum / static_cast<double>(batch_views.size());
  });
}

Tensor penultimate_features(nn::Module& model, const Tensor& inputs,
                            const InputTransform& transform, int64_t batch_size) {
  return batched(model, inputs, transform, batch_size, "penultimate_features", [&](const Tensor& x) {
    std::optional<Tensor> head_input;
    {
      nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor& input, const Tensor&) {
        if (dynamic_cast<const nn::Linear*>(&module) != nullptr) head_input = input;
      });
      model(x);
    }
    NABLA_CHECK(head_input.has_value(), "penultimate_features: the model (", model.type_name(),
                ") calls no Linear layer, so it has no classifier head whose input to return");
    return head_input->reshape({head_input->size(0), -1}).contiguous();
  });
}

}  // namespace nabla::train
