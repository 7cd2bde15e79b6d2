// Looking inside a trained network for the pictures the course notes draw (report/pictures.hpp):
// its first convolution's filters and the activation maps every convolution makes of one image.
//
//   auto [name, weight] = train::first_conv_weight(model);        // "0.weight", [6, 1, 5, 5]
//   auto maps = train::conv_activations(model, image);            // [{"0", [6, 28, 28]}, ...]
#pragma once
#pragma GCC visibility push(default)

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

}  // namespace nabla::train

#pragma GCC visibility pop
