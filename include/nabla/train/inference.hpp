// Inference helpers shared by Trainer::predict, `nabla eval` / `predict` / `features`,
// ensembles and transfer learning. Each runs the model in eval mode without gradients, in
// batches, and restores the model's train/eval mode afterwards (even when a batch throws).
//
//   Tensor p = train::predict_probabilities(model, images, preprocess);      // [N, C]
//   Tensor f = train::penultimate_features(model, images, preprocess);       // [N, D]
#pragma once
#pragma GCC visibility push(default)

#include <functional>
#include <vector>

#include "nabla/data/dataset.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/tensor.hpp"

namespace nabla::train {

// Applied to each raw batch before the model (preprocessing); identity when empty.
using InputTransform = std::function<Tensor(const Tensor&)>;

// The model's logits [N, C] for inputs [N, ...].
Tensor predict_logits(nn::Module& model, const Tensor& inputs, const InputTransform& transform = {},
                      int64_t batch_size = 256);

// softmax of the model's logits [N, C] for inputs [N, ...].
Tensor predict_probabilities(nn::Module& model, const Tensor& inputs,
                             const InputTransform& transform = {}, int64_t batch_size = 256);

// What a prediction of `task` is, from the model's outputs [N, C]: class probabilities
// (softmax over dim 1), label probabilities (sigmoid of each logit) or the regression values
// themselves.
Tensor task_predictions(data::Task task, const Tensor& outputs);

// Test-time augmentation: the task's predictions averaged over the views `views` makes of each
// raw batch (data::test_time_views), each view transformed (preprocessed) before the model. A
// classifier's result is the mean of the views' class probabilities, [N, C].
using ViewMaker = std::function<std::vector<Tensor>(const Tensor&)>;
Tensor predict_view_average(nn::Module& model, const Tensor& inputs, data::Task task,
                            const ViewMaker& views, const InputTransform& transform = {},
                            int64_t batch_size = 256);

// The input of the last nn::Linear the model calls in its forward pass — the penultimate
// layer's features that a new classifier head reads, flattened to [N, D]. An Error when the
// model calls no Linear layer.
Tensor penultimate_features(nn::Module& model, const Tensor& inputs,
                            const InputTransform& transform = {}, int64_t batch_size = 256);

// Puts a module in eval mode and gives it back its mode on scope exit (one flag for the whole
// tree, as torch's model.train(was_training)).
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

}  // namespace nabla::train

#pragma GCC visibility pop
