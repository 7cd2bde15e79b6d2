// The model zoo: the networks the notes walk through, with torchvision's layouts and parameter
// names where torchvision has the model, so its weights load by name.
//
//   auto net = models::create("lenet5", {.num_classes = 10, .in_channels = 1});
//   std::cout << models::summarize(*net, {1, 1, 28, 28});   // models/summary.hpp
//
// Parameter counts (tests check them): lenet5_classic 60,850; alexnet 61,100,840, vgg16
// 138,357,544, googlenet 6,624,904, resnet18 11,689,512, resnet34 21,797,672 (1000 classes, 3
// input channels); resnet20 269,722 (10 classes).
#pragma once
#pragma GCC visibility push(default)

#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/module.hpp"

namespace nabla::models {

struct ModelOptions {
  int64_t num_classes = 10;
  int64_t in_channels = 1;
  // mlp only: the flattened input size and the hidden layer widths.
  int64_t in_features = 784;
  std::vector<int64_t> hidden = {256, 128};
  // Dropout probability of the classifier heads that have one (alexnet, vgg, googlenet, cnn_bn).
  double dropout = -1.0;  // < 0: the model's own default
};

using ModulePtr = std::shared_ptr<nn::Module>;

// Flatten, then Linear + ReLU per hidden width, then Linear to the classes.
ModulePtr mlp(const ModelOptions& options = {});
// Modern LeNet-5 (BENCHMARKING.md's reference): conv 5x5 pad 2 → ReLU → max-pool, conv 5x5 →
// ReLU → max-pool, fc 120 → 84 → classes. Sized for 28x28 inputs.
ModulePtr lenet5(const ModelOptions& options = {});
// LeNet-5 as LeCun et al. 1998 and the notes describe it: scaled tanh, trainable subsampling (one
// coefficient and one bias per map), C3's partial connection table, 60,850 parameters. A
// 28x28 input is padded by 2 in C1, the paper's 32x32 frame.
ModulePtr lenet5_classic(const ModelOptions& options = {});
// The CNN-BN reference model: [conv 3x3, BN, ReLU] x2 at 32, pool, x2 at 64, pool, fc 128,
// ReLU, dropout 0.5, fc classes. Sized for 28x28 inputs.
ModulePtr cnn_bn(const ModelOptions& options = {});
ModulePtr alexnet(const ModelOptions& options = {});
ModulePtr vgg11(const ModelOptions& options = {});
ModulePtr vgg16(const ModelOptions& options = {});
// Inception v1 as torchvision (no auxiliary heads; torchvision's 3x3 "5x5" branch).
ModulePtr googlenet(const ModelOptions& options = {});
ModulePtr resnet18(const ModelOptions& options = {});
ModulePtr resnet34(const ModelOptions& options = {});
// He et al.'s CIFAR ResNet-20: 3 stages of 3 basic blocks at 16/32/64 channels, parameter-free
// (option A) shortcuts.
ModulePtr resnet20(const ModelOptions& options = {});

// A model by name; an unknown name is an Error listing the known ones.
ModulePtr create(const std::string& name, const ModelOptions& options = {});
std::vector<std::string> model_names();

// The sample each model was designed for (no batch dim): [3, 224, 224] for alexnet, vgg,
// googlenet and the ImageNet ResNets, [3, 32, 32] for resnet20, [784] for mlp, [1, 28, 28]
// (Fashion-MNIST) for the rest; and its usual class count (1000 for the ImageNet models, else 10).
Shape default_input_shape(const std::string& name);
int64_t default_num_classes(const std::string& name);

}  // namespace nabla::models

#pragma GCC visibility pop
