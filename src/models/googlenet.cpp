// GoogLeNet (Inception v1) as torchvision builds it without the auxiliary heads: every
// convolution is conv (no bias) + batch norm (eps 1e-3) + ReLU, and the "5x5" branch uses a
// 3x3 kernel (a torchvision quirk kept so the 6,624,904 parameters and the names match).
#include "models/blocks.hpp"

namespace nabla::models {

namespace {

using namespace detail;

// torchvision's BasicConv2d: children "conv" and "bn".
class BasicConv2d : public nn::Module {
 public:
  BasicConv2d(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0)
      : Module("BasicConv2d"),
        conv_(
            register_module("conv", conv_layer(in, out, kernel, stride, padding, /*bias=*/false))),
        bn_(register_module("bn", batch_norm2d_layer(out, 1e-3))) {}
  Tensor forward(const Tensor& x) override { return relu((*bn_)((*conv_)(x))); }

 private:
  ModulePtr conv_, bn_;
};

ModulePtr basic(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1, int64_t padding = 0) {
  return std::make_shared<BasicConv2d>(in, out, kernel, stride, padding);
}

// Four branches on the same input, concatenated along channels: 1x1; 1x1 then 3x3; 1x1 then
// 3x3; 3x3 max-pool then 1x1.
class Inception : public nn::Module {
 public:
  Inception(int64_t in, int64_t ch1x1, int64_t ch3x3_reduce, int64_t ch3x3, int64_t ch5x5_reduce,
            int64_t ch5x5, int64_t pool_projection)
      : Module("Inception") {
    branches_.push_back(register_module("branch1", basic(in, ch1x1, 1)));
    branches_.push_back(register_module(
        "branch2", sequential({basic(in, ch3x3_reduce, 1), basic(ch3x3_reduce, ch3x3, 3, 1, 1)})));
    branches_.push_back(register_module(
        "branch3", sequential({basic(in, ch5x5_reduce, 1), basic(ch5x5_reduce, ch5x5, 3, 1, 1)})));
    branches_.push_back(register_module(
        "branch4",
        sequential({max_pool_layer(3, 1, 1, /*ceil_mode=*/true), basic(in, pool_projection, 1)})));
  }
  Tensor forward(const Tensor& x) override {
    std::vector<Tensor> outputs;
    for (const ModulePtr& branch : branches_) outputs.push_back((*branch)(x));
    return cat(outputs, 1);
  }

 private:
  std::vector<ModulePtr> branches_;
};

ModulePtr inception(int64_t in, int64_t a, int64_t b, int64_t c, int64_t d, int64_t e, int64_t f) {
  return std::make_shared<Inception>(in, a, b, c, d, e, f);
}

}  // namespace

ModulePtr googlenet(const ModelOptions& options) {
  const auto pool = [](int64_t kernel) { return max_pool_layer(kernel, 2, 0, /*ceil_mode=*/true); };
  auto model = std::make_shared<Stages>(
      "GoogLeNet", std::vector<std::pair<std::string, ModulePtr>>{
                       {"conv1", basic(options.in_channels, 64, 7, 2, 3)},
                       {"maxpool1", pool(3)},
                       {"conv2", basic(64, 64, 1)},
                       {"conv3", basic(64, 192, 3, 1, 1)},
                       {"maxpool2", pool(3)},
                       {"inception3a", inception(192, 64, 96, 128, 16, 32, 32)},
                       {"inception3b", inception(256, 128, 128, 192, 32, 96, 64)},
                       {"maxpool3", pool(3)},
                       {"inception4a", inception(480, 192, 96, 208, 16, 48, 64)},
                       {"inception4b", inception(512, 160, 112, 224, 24, 64, 64)},
                       {"inception4c", inception(512, 128, 128, 256, 24, 64, 64)},
                       {"inception4d", inception(512, 112, 144, 288, 32, 64, 64)},
                       {"inception4e", inception(528, 256, 160, 320, 32, 128, 128)},
                       {"maxpool4", pool(2)},
                       {"inception5a", inception(832, 256, 160, 320, 32, 128, 128)},
                       {"inception5b", inception(832, 384, 192, 384, 48, 128, 128)},
                       {"avgpool", adaptive_avg_pool_layer(1)},
                       {"flatten", flatten_layer()},
                       {"dropout", dropout_layer(dropout_or(options, 0.2))},
                       {"fc", linear_layer(1024, options.num_classes)}});
  // torchvision: trunc_normal_(std 0.01, a -2, b 2) for conv and linear weights; at std 0.01
  // the ±2 bounds lie 200 standard deviations out, so a plain normal draws the same law.
  torchvision_init(*model, {.conv = ConvInit::normal_001, .linear_std = 0.01});
  return model;
}

}  // namespace nabla::models
