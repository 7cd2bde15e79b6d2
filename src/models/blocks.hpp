// Building blocks shared by the zoo's models: layer factories (one place that knows the layer
// constructors) and a container of named stages run in order, for torchvision's names.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/models/models.hpp"
#include "nabla/nn/activation.hpp"
#include "nabla/nn/container.hpp"
#include "nabla/nn/conv.hpp"
#include "nabla/nn/dropout.hpp"
#include "nabla/nn/init.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/nn/norm.hpp"
#include "nabla/nn/pool.hpp"
#include "nabla/ops.hpp"

namespace nabla::models::detail {

using nn::functional::Size2;

// Children with names of the caller's choosing ("features", "avgpool", "classifier"), run in
// the order given: the shape of torchvision's AlexNet, VGG, ResNet and GoogLeNet forwards.
class Stages : public nn::Module {
 public:
  Stages(std::string type_name, std::vector<std::pair<std::string, ModulePtr>> stages)
      : Module(std::move(type_name)) {
    for (auto& [name, stage] : stages) stages_.push_back(register_module(name, stage));
  }
  Tensor forward(const Tensor& x) override {
    Tensor y = x;
    for (const ModulePtr& stage : stages_) y = (*stage)(y);
    return y;
  }

 private:
  std::vector<ModulePtr> stages_;
};

inline ModulePtr conv_layer(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1,
                            int64_t padding = 0, bool bias = true) {
  return std::make_shared<nn::Conv2d>(in, out, Size2(kernel), Size2(stride), padding, Size2(1), 1,
                                      bias);
}
inline ModulePtr batch_norm2d_layer(int64_t channels, double eps = 1e-5) {
  return std::make_shared<nn::BatchNorm2d>(channels, eps);
}
inline ModulePtr max_pool_layer(int64_t kernel, int64_t stride, int64_t padding = 0,
                                bool ceil_mode = false) {
  return std::make_shared<nn::MaxPool2d>(nn::functional::MaxPool2dOptions{
      .kernel_size = kernel, .stride = Size2(stride), .padding = padding, .ceil_mode = ceil_mode});
}
inline ModulePtr adaptive_avg_pool_layer(int64_t size) {
  return std::make_shared<nn::AdaptiveAvgPool2d>(Size2(size));
}
inline ModulePtr relu_layer() { return std::make_shared<nn::ReLU>(); }
inline ModulePtr dropout_layer(double p) { return std::make_shared<nn::Dropout>(p); }
inline ModulePtr linear_layer(int64_t in, int64_t out) {
  return std::make_shared<nn::Linear>(in, out);
}
inline ModulePtr flatten_layer() { return std::make_shared<nn::Flatten>(); }

inline std::shared_ptr<nn::Sequential> sequential(std::initializer_list<ModulePtr> layers) {
  return std::make_shared<nn::Sequential>(layers);
}

// The model's own dropout default unless the options name one.
inline double dropout_or(const ModelOptions& options, double fallback) {
  return options.dropout >= 0 ? options.dropout : fallback;
}

// The initialisations torchvision's model constructors apply after building the layers.
// Batch norm always starts at weight 1, bias 0; convolution biases at 0.
enum class ConvInit { he_fan_out, normal_001 };  // kaiming_normal_(fan_out, relu) or N(0, 0.01²)
struct TorchvisionInit {
  ConvInit conv = ConvInit::he_fan_out;
  double linear_std = 0.0;        // > 0: Linear weights from N(0, std²); 0: PyTorch's default
  bool zero_linear_bias = false;  // VGG zeroes Linear biases; ResNet and GoogLeNet keep them
};
void torchvision_init(nn::Module& model, const TorchvisionInit& policy);

}  // namespace nabla::models::detail
