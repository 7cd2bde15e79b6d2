// Internal: a model that ends in nn::HierarchicalSoftmax (as the last layer of a Sequential)
// trains on that layer's own loss, which reads only each target's path; the Trainer runs the
// layers before it and hands their features and the targets to it. Evaluation and prediction
// still call the whole model (exact log-probabilities for every class).
#pragma once

#include <optional>

#include "nabla/nn/container.hpp"
#include "nabla/nn/hierarchical_softmax.hpp"

namespace nabla::train::detail {

class PathLossModel {
 public:
  // nullopt unless `model` is a Sequential whose last layer is a HierarchicalSoftmax.
  static std::optional<PathLossModel> of(nn::Module& model);
  // −log p(target | x), the batch mean, through every layer but the last and that layer's loss.
  Tensor loss(const Tensor& inputs, const Tensor& targets) const;

 private:
  PathLossModel(nn::Sequential& layers, nn::HierarchicalSoftmax& head) : layers_(&layers), head_(&head) {}
  nn::Sequential* layers_;
  nn::HierarchicalSoftmax* head_;
};

}  // namespace nabla::train::detail
