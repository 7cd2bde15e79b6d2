#include "models/blocks.hpp"

namespace nabla::models::detail {

namespace {

template <class Visit> void for_each_module(nn::Module& module, const Visit& visit) {
  visit(module);
  for (const auto& [name, child] : module.named_children()) for_each_module(*child, visit);
}

}  // namespace

void torchvision_init(nn::Module& model, const TorchvisionInit& policy) {
  for_each_module(model, [&](nn::Module& module) {
    if (auto* conv = dynamic_cast<nn::Conv2d*>(&module)) {
      if (policy.conv == ConvInit::he_fan_out)
        nn::init::kaiming_normal_(conv->weight, 0.0, nn::init::FanMode::fan_out, "relu");
      else
        nn::init::normal_(conv->weight, 0.0, 0.01);
      if (conv->bias.defined()) nn::init::zeros_(conv->bias);
    } else if (auto* norm = dynamic_cast<nn::BatchNorm*>(&module)) {
      if (norm->weight.defined()) nn::init::ones_(norm->weight);
      if (norm->bias.defined()) nn::init::zeros_(norm->bias);
    } else if (auto* linear = dynamic_cast<nn::Linear*>(&module)) {
      if (policy.linear_std > 0) nn::init::normal_(linear->weight, 0.0, policy.linear_std);
      if (policy.zero_linear_bias && linear->bias.defined()) nn::init::zeros_(linear->bias);
    }
  });
}

}  // namespace nabla::models::detail
