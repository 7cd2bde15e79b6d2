// evaluate() and predict(): eval mode, no gradients, fixed-size batches, the model's previous
// train/eval mode restored afterwards (even when a batch throws).
#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "trainer_state.hpp"

namespace nabla::train {

namespace {

// Puts a module in eval mode and gives it back its mode on scope exit. Restores one flag for the
// whole tree, as torch's model.train(was_training) does.
class EvalMode {
 public:
  explicit EvalMode(nn::Module& model) : model_(model), was_training_(model.is_training()) {
    model_.eval();
  }
  ~EvalMode() { model_.train(was_training_); }
  EvalMode(const EvalMode&) = delete;
  EvalMode& operator=(const EvalMode&) = delete;

 private:
  nn::Module& model_;
  bool was_training_;
};

}  // namespace

Evaluation Trainer::evaluate(const data::Dataset& data) {
  NABLA_CHECK(data.size() > 0 && data.targets.defined(),
              "Trainer::evaluate: the dataset is empty; pass one with inputs and targets");
  NABLA_CHECK(data.targets.dim() >= 1 && data.targets.size(0) == data.size(),
              "Trainer::evaluate: ", data.size(), " inputs but targets of shape ",
              data.targets.shape());
  EvalMode eval_mode(*model_);
  autograd::NoGradGuard no_grad;
  const auto& transform = options_.input_transform;
  std::optional<ClassificationMetrics> metrics;
  std::vector<int64_t> predictions;
  predictions.reserve(data.size());
  for (int64_t start = 0; start < data.size(); start += options_.eval_batch_size) {
    const int64_t rows = std::min(options_.eval_batch_size, data.size() - start);
    const Tensor raw = data.inputs.narrow(0, start, rows);
    const Tensor targets = data.targets.narrow(0, start, rows);
    const Tensor logits = (*model_)(transform ? transform(raw) : raw);
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
  NABLA_CHECK(inputs.defined() && inputs.dim() >= 1 && inputs.size(0) > 0,
              "Trainer::predict: expected inputs [N, ...] with N >= 1");
  EvalMode eval_mode(*model_);
  autograd::NoGradGuard no_grad;
  const auto& transform = options_.input_transform;
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < inputs.size(0); start += options_.eval_batch_size) {
    const int64_t rows = std::min(options_.eval_batch_size, inputs.size(0) - start);
    const Tensor raw = inputs.narrow(0, start, rows);
    const Tensor logits = (*model_)(transform ? transform(raw) : raw);
    NABLA_CHECK(logits.dim() == 2, "Trainer::predict: the model's output has shape ",
                logits.shape(), "; classification needs logits [B, classes]");
    parts.push_back(softmax(logits, 1));
  }
  return parts.size() == 1 ? parts[0] : cat(parts, 0);
}

}  // namespace nabla::train
