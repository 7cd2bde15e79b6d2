// ResNets: torchvision's resnet18/34 (BasicBlock, names conv1/bn1/layer1.0.conv1/…/fc) and He
// et al.'s CIFAR ResNet-20, whose shortcuts between stages subsample and pad channels with zeros
// (option A: no parameters, 269,722 in all at 10 classes).
#include "models/blocks.hpp"

namespace nabla::models {

namespace {

using namespace detail;

// out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), shortcut = downsample or identity.
class BasicBlock : public nn::Module {
 public:
  // `projection`: when the shape changes, a 1x1 conv + BN ("downsample", torchvision) if true,
  // else option A's parameter-free subsample-and-pad.
  BasicBlock(int64_t in, int64_t out, int64_t stride, bool projection)
      : Module("BasicBlock"), out_(out), stride_(stride) {
    conv1_ = register_module("conv1", conv_layer(in, out, 3, stride, 1, /*bias=*/false));
    bn1_ = register_module("bn1", batch_norm2d_layer(out));
    conv2_ = register_module("conv2", conv_layer(out, out, 3, 1, 1, /*bias=*/false));
    bn2_ = register_module("bn2", batch_norm2d_layer(out));
    reshapes_ = stride != 1 || in != out;
    if (reshapes_ && projection)
      downsample_ = register_module(
          "downsample",
          sequential({conv_layer(in, out, 1, stride, 0, /*bias=*/false), batch_norm2d_layer(out)}));
  }

  Tensor forward(const Tensor& x) override {
    const Tensor y = (*bn2_)((*conv2_)(relu((*bn1_)((*conv1_)(x)))));
    return relu(y + shortcut(x));
  }

 private:
  Tensor shortcut(const Tensor& x) const {
    if (!reshapes_) return x;
    if (downsample_) return (*downsample_)(x);
    const Tensor sub = x.slice(2, 0, x.size(2), stride_).slice(3, 0, x.size(3), stride_);
    // Channels double between stages, so the zero padding splits evenly around the input's.
    Shape pad_shape = sub.shape();
    pad_shape[1] = (out_ - x.size(1)) / 2;
    const Tensor padding = zeros(pad_shape, {.dtype = x.dtype()});
    return cat({padding, sub, padding}, 1);
  }

  int64_t out_, stride_;
  bool reshapes_ = false;
  ModulePtr conv1_, bn1_, conv2_, bn2_, downsample_;
};

std::shared_ptr<nn::Sequential> stage(int64_t& channels, int64_t out, int64_t blocks,
                                      int64_t stride, bool projection) {
  auto layer = std::make_shared<nn::Sequential>();
  for (int64_t b = 0; b < blocks; ++b) {
    layer->push_back(std::make_shared<BasicBlock>(channels, out, b == 0 ? stride : 1, projection));
    channels = out;
  }
  return layer;
}

ModulePtr imagenet_resnet(const char* name, const std::vector<int64_t>& blocks,
                          const ModelOptions& options) {
  int64_t channels = 64;
  std::vector<std::pair<std::string, ModulePtr>> stages = {
      {"conv1", conv_layer(options.in_channels, 64, 7, 2, 3, /*bias=*/false)},
      {"bn1", batch_norm2d_layer(64)},
      {"relu", relu_layer()},
      {"maxpool", max_pool_layer(3, 2, 1)}};
  const int64_t widths[] = {64, 128, 256, 512};
  for (size_t i = 0; i < 4; ++i)
    stages.emplace_back("layer" + std::to_string(i + 1),
                        stage(channels, widths[i], blocks[i], i == 0 ? 1 : 2, true));
  stages.emplace_back("avgpool", adaptive_avg_pool_layer(1));
  stages.emplace_back("flatten", flatten_layer());
  stages.emplace_back("fc", linear_layer(512, options.num_classes));
  auto model = std::make_shared<Stages>(name, std::move(stages));
  torchvision_init(*model, {.conv = ConvInit::he_fan_out});
  return model;
}

}  // namespace

ModulePtr resnet18(const ModelOptions& options) {
  return imagenet_resnet("ResNet18", {2, 2, 2, 2}, options);
}

ModulePtr resnet34(const ModelOptions& options) {
  return imagenet_resnet("ResNet34", {3, 4, 6, 3}, options);
}

ModulePtr resnet20(const ModelOptions& options) {
  int64_t channels = 16;
  std::vector<std::pair<std::string, ModulePtr>> stages = {
      {"conv1", conv_layer(options.in_channels, 16, 3, 1, 1, /*bias=*/false)},
      {"bn1", batch_norm2d_layer(16)},
      {"relu", relu_layer()}};
  const int64_t widths[] = {16, 32, 64};
  for (size_t i = 0; i < 3; ++i)
    stages.emplace_back("layer" + std::to_string(i + 1),
                        stage(channels, widths[i], 3, i == 0 ? 1 : 2, false));
  stages.emplace_back("avgpool", adaptive_avg_pool_layer(1));
  stages.emplace_back("flatten", flatten_layer());
  stages.emplace_back("fc", linear_layer(64, options.num_classes));
  auto model = std::make_shared<Stages>("ResNet20", std::move(stages));
  torchvision_init(*model, {.conv = ConvInit::he_fan_out});
  return model;
}

}  // namespace nabla::models
