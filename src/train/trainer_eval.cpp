// evaluate() and predict(): eval mode, no gradients, fixed-size batches, the model's previous
// train/eval mode restored afterwards (even when a batch throws), autocast at the trainer's
// precision (as torch users wrap inference in the autocast they trained with).
#include <variant>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "nabla/train/inference.hpp"
#include "trainer_state.hpp"

namespace nabla::train {

namespace {

using TaskMetrics = std::variant<ClassificationMetrics, RegressionMetrics, MultilabelMetrics>;

TaskMetrics make_metrics(data::Task task, int64_t outputs) {
  switch (task) {
    case data::Task::regression: return RegressionMetrics(outputs);
    case data::Task::multilabel: return MultilabelMetrics(outputs);
    case data::Task::classification: break;
  }
  return ClassificationMetrics(outputs);
}

// The metrics of every batch, as the Evaluation of their task.
Evaluation finish(const TaskMetrics& metrics, const std::vector<int64_t>& predictions,
                  const std::vector<Tensor>& outputs) {
  Evaluation e;
  if (const auto* m = std::get_if<ClassificationMetrics>(&metrics)) {
    e.loss = m->loss();
    e.accuracy = m->accuracy();
    e.top_k_accuracy = m->top_k_accuracy();
    e.per_class_accuracy = m->per_class_accuracy();
    e.confusion = m->confusion();
    e.predictions = from_vector(predictions);
    return e;
  }
  e.outputs = outputs.size() == 1 ? outputs[0] : cat(outputs, 0);
  e.top_k_accuracy = NAN;
  if (const auto* m = std::get_if<RegressionMetrics>(&metrics)) {
    e.task = data::Task::regression;
    e.loss = m->loss();
    e.accuracy = NAN;
    e.regression = scores_of(*m);
    return e;
  }
  const auto& m = std::get<MultilabelMetrics>(metrics);
  e.task = data::Task::multilabel;
  e.loss = m.loss();
  e.accuracy = m.label_accuracy();
  e.labels = scores_of(m);
  return e;
}

}  // namespace

Evaluation Trainer::evaluate(const data::Dataset& data) {
  NABLA_CHECK(data.size() > 0 && data.targets.defined(),
              "Trainer::evaluate: the dataset is empty; pass one with inputs and targets");
  NABLA_CHECK(data.targets.dim() >= 1 && data.targets.size(0) == data.size(),
              "Trainer::evaluate: ", data.size(), " inputs but targets of shape ",
              data.targets.shape());
  NABLA_CHECK(data.task == options_.task, "Trainer::evaluate: a ", data::task_name(data.task),
              " dataset given to a trainer of task ", data::task_name(options_.task),
              "; set TrainerOptions::task to the dataset's task");
  EvalMode eval_mode(*model_);
  autograd::NoGradGuard no_grad;
  const PrecisionScope autocast(options_.precision);
  const auto& transform = options_.input_transform;
  std::optional<TaskMetrics> metrics;
  std::vector<int64_t> predictions;
  std::vector<Tensor> outputs;
  if (data.task == data::Task::classification) predictions.reserve(data.size());
  const Device device = model_->device();  // inputs move there; metrics come back to the host
  for (int64_t start = 0; start < data.size(); start += options_.eval_batch_size) {
    const int64_t rows = std::min(options_.eval_batch_size, data.size() - start);
    const Tensor raw = data.inputs.narrow(0, start, rows);
    const Tensor targets = data.targets.narrow(0, start, rows).to(device);
    const Tensor logits = (*model_)((transform ? transform(raw) : raw).to(device));
    NABLA_CHECK(logits.dim() == 2, "Trainer::evaluate: the model's output has shape ",
                logits.shape(), "; ", data::task_name(data.task),
                " needs outputs [B, ", data.num_classes, "]");
    const int64_t width = data.num_classes > 0 ? data.num_classes : logits.size(1);
    if (!metrics) metrics.emplace(make_metrics(data.task, width));
    const double batch_loss_sum = state_->loss(logits, targets).item() * static_cast<double>(rows);
    std::visit([&](auto& m) { m.add(logits, targets, batch_loss_sum); }, *metrics);
    if (data.task == data::Task::classification) {
      for (int64_t p : argmax(logits, 1).to_vector<int64_t>()) predictions.push_back(p);
    } else {
      outputs.push_back(logits.to(Device::CPU).to(DType::f32));
    }
  }
  Evaluation evaluation = finish(*metrics, predictions, outputs);
  evaluation.task = data.task;
  return evaluation;
}

Tensor Trainer::predict(const Tensor& inputs) {
  const PrecisionScope autocast(options_.precision);
  return task_predictions(options_.task, predict_logits(*model_, inputs, options_.input_transform,
                                                        options_.eval_batch_size));
}

}  // namespace nabla::train
