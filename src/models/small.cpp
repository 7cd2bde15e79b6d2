// The models that train on 28x28 Fashion-MNIST in minutes: MLP, modern LeNet-5 and CNN-BN.
#include "models/blocks.hpp"

namespace nabla::models {

using namespace detail;

ModulePtr mlp(const ModelOptions& options) {
  auto net = sequential({flatten_layer()});
  int64_t width = options.in_features;
  for (int64_t hidden : options.hidden) {
    NABLA_CHECK(hidden > 0, "models::mlp: hidden width ", hidden, " must be positive");
    net->push_back(linear_layer(width, hidden)).push_back(relu_layer());
    width = hidden;
  }
  net->push_back(linear_layer(width, options.num_classes));
  return net;
}

ModulePtr lenet5(const ModelOptions& options) {
  return sequential({conv_layer(options.in_channels, 6, 5, 1, 2), relu_layer(),
                     max_pool_layer(2, 2), conv_layer(6, 16, 5), relu_layer(), max_pool_layer(2, 2),
                     flatten_layer(), linear_layer(16 * 5 * 5, 120), relu_layer(),
                     linear_layer(120, 84), relu_layer(), linear_layer(84, options.num_classes)});
}

ModulePtr cnn_bn(const ModelOptions& options) {
  auto block = [](int64_t in, int64_t out) {
    return std::vector<ModulePtr>{conv_layer(in, out, 3, 1, 1), batch_norm2d_layer(out),
                                  relu_layer()};
  };
  auto net = std::make_shared<nn::Sequential>();
  for (auto [in, out, pool] :
       {std::tuple{options.in_channels, int64_t{32}, false},
        std::tuple{int64_t{32}, int64_t{32}, true}, std::tuple{int64_t{32}, int64_t{64}, false},
        std::tuple{int64_t{64}, int64_t{64}, true}}) {
    for (const ModulePtr& layer : block(in, out)) net->push_back(layer);
    if (pool) net->push_back(max_pool_layer(2, 2));
  }
  net->push_back(flatten_layer()).push_back(linear_layer(64 * 7 * 7, 128)).push_back(relu_layer());
  net->push_back(dropout_layer(dropout_or(options, 0.5)))
      .push_back(linear_layer(128, options.num_classes));
  return net;
}

}  // namespace nabla::models
