// evaluate() and predict(): eval mode, no gradients, fixed-size batches, the model's previous
// train/eval mode restored afterwards (even when a batch throws), autocast at the trainer's
// precision (as torch users wrap inference in the autocast they trained with).
#include "nabla/autograd.hpp"
#include "nabla/train/inference.hpp"
#include "nabla/ops.hpp"
#include "trainer_state.hpp"

namespace nabla::train {

Evaluation Trainer::evaluate(const data::Dataset& data) {
  NABLA_CHECK(data.size() > 0 && data.targets.defined(),
              "Trainer::evaluate: the dataset is empty; pass one with inputs and targets");
  NABLA_CHECK(data.targets.dim() >= 1 && data.targets.size(0) == data.size(),
              "Trainer::evaluate: ", data.size(), " inputs but targets of shape ",
              data.targets.shape());
  EvalMode eval_mode(*model_);
  autograd::NoGradGuard no_grad;
  const PrecisionScope autocast(options_.precision);
  const auto& transform = options_.input_transform;
  std::optional<ClassificationMetrics> metrics;
  std::vector<int64_t> predictions;
  predictions.reserve(data.size());
  const Device device = model_->device();  // inputs move there; metrics come back to the host
  for (int64_t start = 0; start < data.size(); start += options_.eval_batch_size) {
    const int64_t rows = std::min(options_.eval_batch_size, data.size() - start);
    const Tensor raw = data.inputs.narrow(0, start, rows);
    const Tensor targets = data.targets.narrow(0, start, rows).to(device);
    const Tensor logits = (*model_)((transform ? transform(raw) : raw).to(device));
    NABLA_CHECK(logits.dim() == 2, "Trainer::evaluate: the model's output has shape ",
                logits.shape(), "; classification needs logits [B, classes]");
    if (!metrics) metrics.emplace(data.num_classes > 0 ? data.num_classes : logits.size(1));
    const double batch_loss = state_->loss(logits, targets).item();
    metrics->add(logits, targets, batch_loss * static_cast<double>(rows));
    for (int64_t p : argmax(logits, 1).to_vector<int64_t>()) predictions.push_back(p);
  }
  Evaluation evaluation;
  evaluation.loss = metrics->loss();
  evaluation.accuracy = metrics->accuracy();
  evaluation.top_k_accuracy = metrics->top_k_accuracy();
  evaluation.per_class_accuracy = metrics->per_class_accuracy();
  evaluation.confusion = metrics->confusion();
  evaluation.predictions = from_vector(predictions);
  return evaluation;
}

Tensor Trainer::predict(const Tensor& inputs) {
  const PrecisionScope autocast(options_.precision);
  return predict_probabilities(*model_, inputs, options_.input_transform, options_.eval_batch_size);
}

}  // namespace nabla::train
