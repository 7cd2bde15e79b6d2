// AlexNet and VGG in torchvision's layouts (features / avgpool / classifier), so parameter
// names and counts match torchvision's and its weights load by name. torchvision's AlexNet has
// no local response normalisation; nn::LocalResponseNorm is there for those who want it.
#include "models/blocks.hpp"

namespace nabla::models {

using namespace detail;

ModulePtr alexnet(const ModelOptions& options) {
  const double p = dropout_or(options, 0.5);
  auto features =
      sequential({conv_layer(options.in_channels, 64, 11, 4, 2), relu_layer(), max_pool_layer(3, 2),
                  conv_layer(64, 192, 5, 1, 2), relu_layer(), max_pool_layer(3, 2),
                  conv_layer(192, 384, 3, 1, 1), relu_layer(), conv_layer(384, 256, 3, 1, 1),
                  relu_layer(), conv_layer(256, 256, 3, 1, 1), relu_layer(), max_pool_layer(3, 2)});
  auto classifier =
      sequential({dropout_layer(p), linear_layer(256 * 6 * 6, 4096), relu_layer(), dropout_layer(p),
                  linear_layer(4096, 4096), relu_layer(), linear_layer(4096, options.num_classes)});
  return std::make_shared<Stages>("AlexNet", std::vector<std::pair<std::string, ModulePtr>>{
                                                 {"features", features},
                                                 {"avgpool", adaptive_avg_pool_layer(6)},
                                                 {"flatten", flatten_layer()},
                                                 {"classifier", classifier}});
}

namespace {

// torchvision's VGG configurations: channel counts, 0 for a 2x2 max-pool.
ModulePtr vgg(const char* name, const std::vector<int64_t>& config, const ModelOptions& options) {
  auto features = std::make_shared<nn::Sequential>();
  int64_t channels = options.in_channels;
  for (int64_t width : config) {
    if (width == 0) {
      features->push_back(max_pool_layer(2, 2));
      continue;
    }
    features->push_back(conv_layer(channels, width, 3, 1, 1)).push_back(relu_layer());
    channels = width;
  }
  const double p = dropout_or(options, 0.5);
  auto classifier = sequential({linear_layer(512 * 7 * 7, 4096), relu_layer(), dropout_layer(p),
                                linear_layer(4096, 4096), relu_layer(), dropout_layer(p),
                                linear_layer(4096, options.num_classes)});
  auto model = std::make_shared<Stages>(
      name, std::vector<std::pair<std::string, ModulePtr>>{{"features", features},
                                                           {"avgpool", adaptive_avg_pool_layer(7)},
                                                           {"flatten", flatten_layer()},
                                                           {"classifier", classifier}});
  torchvision_init(*model,
                   {.conv = ConvInit::he_fan_out, .linear_std = 0.01, .zero_linear_bias = true});
  return model;
}

}  // namespace

ModulePtr vgg11(const ModelOptions& options) {
  return vgg("VGG11", {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}, options);
}

ModulePtr vgg16(const ModelOptions& options) {
  return vgg("VGG16",
             {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0},
             options);
}

}  // namespace nabla::models
