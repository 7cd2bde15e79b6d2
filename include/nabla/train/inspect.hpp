// Looking inside a trained network for the pictures the course notes draw (report/pictures.hpp):
// its first convolution's filters and the activation maps every convolution makes of one image,
// and the autograd graph of one training step.
//
//   auto [name, weight] = train::first_conv_weight(model);        // "0.weight", [6, 1, 5, 5]
//   auto maps = train::conv_activations(model, image);            // [{"0", [6, 28, 28]}, ...]
//   std::string dot = train::step_graph_dot(model, loss, inputs, targets);
#pragma once
#pragma GCC visibility push(default)

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.hpp"

namespace nabla::train {

// The first Conv2d the model calls on an input of `sample_shape` ([C, H, W]): its weight's
// state-dict name and the weight. An Error when the model calls no Conv2d.
std::pair<std::string, Tensor> first_conv_weight(nn::Module& model, const Shape& sample_shape);

// Each Conv2d's output for one input [1, C, H, W] (already preprocessed), in call order, named
// by the layer's state-dict prefix; eval mode, no gradients. Empty when the model has no Conv2d.
std::vector<std::pair<std::string, Tensor>> conv_activations(nn::Module& model, const Tensor& input);

// autograd::graph_dot of loss(model(inputs), targets) in training mode (for a Sequential that
// ends in nn::HierarchicalSoftmax, that layer's path loss, which the Trainer steps on), captured under a
// GraphCaptureGuard (saved tensors' shapes and bytes) and with the parameters' state-dict names.
// It leaves no trace, so a run that draws its graph first trains bit for bit as one that does
// not: the global generator (dropout's draws), the buffers (batch-norm running statistics) and
// the train/eval mode are restored, and no gradient is computed. Inputs move to the model's
// device. An Error when the loss has no autograd history (every parameter frozen).
std::string step_graph_dot(nn::Module& model,
                           const std::function<Tensor(const Tensor&, const Tensor&)>& loss,
                           const Tensor& inputs, const Tensor& targets);

}  // namespace nabla::train

#pragma GCC visibility pop
