#include "train/path_loss.hpp"

namespace nabla::train::detail {

std::optional<PathLossModel> PathLossModel::of(nn::Module& model) {
  auto* layers = dynamic_cast<nn::Sequential*>(&model);
  if (layers == nullptr || layers->size() == 0) return std::nullopt;
  auto* head = dynamic_cast<nn::HierarchicalSoftmax*>((*layers)[layers->size() - 1].get());
  if (head == nullptr) return std::nullopt;
  return PathLossModel(*layers, *head);
}

Tensor PathLossModel::loss(const Tensor& inputs, const Tensor& targets) const {
  Tensor features = inputs;
  for (size_t i = 0; i + 1 < layers_->size(); ++i) features = (*(*layers_)[i])(features);
  return head_->loss(features, targets);
}

}  // namespace nabla::train::detail
