// A per-layer table like the notes' walkthrough of LeNet and AlexNet: each layer's output
// shape, parameter count and multiply-adds for one sample.
//
//   LeNet conv1: output [6, 28, 28], 156 parameters, 117,600 multiply-adds.
#pragma once
#pragma GCC visibility push(default)

#include <ostream>
#include <string>
#include <vector>

#include "nabla/nn/module.hpp"

namespace nabla::models {

struct LayerSummary {
  std::string name;  // dotted, as in state_dict ("features.0")
  std::string type;  // "Conv2d"
  Shape output;      // without the batch dim
  int64_t parameters = 0;
  int64_t multiply_adds = 0;
};

struct ModelSummary {
  std::string model;
  Shape input;
  std::vector<LayerSummary> layers;  // leaf modules (and modules with own parameters), in call order
  int64_t parameters = 0;            // of the whole model, counted once each
  int64_t trainable_parameters = 0;
  int64_t multiply_adds = 0;
};

// Runs one forward of zeros of `input_shape` (batch dim included; use 1) in eval mode without
// gradients, recording every layer; the model's train/eval mode is restored afterwards.
ModelSummary summarize(nn::Module& model, const Shape& input_shape);

std::ostream& operator<<(std::ostream& out, const ModelSummary& summary);

}  // namespace nabla::models

#pragma GCC visibility pop
