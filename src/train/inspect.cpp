#include "nabla/train/inspect.hpp"

#include <optional>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "nabla/random.hpp"
#include "nabla/nn/conv.hpp"
#include "nabla/train/inference.hpp"
#include "nabla/train/monitor.hpp"
#include "train/path_loss.hpp"

namespace nabla::train {

std::vector<std::pair<std::string, Tensor>> conv_activations(nn::Module& model, const Tensor& input) {
  NABLA_CHECK(input.defined() && input.dim() == 4 && input.size(0) == 1,
              "conv_activations: expected one image [1, C, H, W], got ",
              input.defined() ? input.shape() : Shape{});
  const std::map<const nn::Module*, std::string> names = module_names(model);
  std::vector<std::pair<std::string, Tensor>> maps;
  EvalMode eval_mode(model);
  autograd::NoGradGuard no_grad;
  {
    nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor&, const Tensor& output) {
      if (dynamic_cast<const nn::Conv2d*>(&module) == nullptr || output.dim() != 4) return;
      const auto name = names.find(&module);
      maps.emplace_back(name == names.end() ? module.type_name() : name->second,
                        output.narrow(0, 0, 1).reshape({output.size(1), output.size(2), output.size(3)})
                            .to(Device::CPU));
    });
    model(input.to(model.device()));
  }
  return maps;
}

std::pair<std::string, Tensor> first_conv_weight(nn::Module& model, const Shape& sample_shape) {
  NABLA_CHECK(sample_shape.size() == 3, "first_conv_weight: the samples have shape ", sample_shape,
              "; convolution filters need images [C, H, W]");
  const std::map<const nn::Module*, std::string> names = module_names(model);
  const nn::Conv2d* first = nullptr;
  {
    EvalMode eval_mode(model);
    autograd::NoGradGuard no_grad;
    nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor&, const Tensor&) {
      if (first == nullptr) first = dynamic_cast<const nn::Conv2d*>(&module);
    });
    Shape batch = {1};
    batch.insert(batch.end(), sample_shape.begin(), sample_shape.end());
    model(zeros(batch).to(model.device()));
  }
  NABLA_CHECK(first != nullptr, "first_conv_weight: the model (", model.type_name(),
              ") calls no Conv2d layer, so it has no filters to show");
  const auto name = names.find(first);
  const std::string prefix = name == names.end() || name->second.empty() ? "" : name->second + ".";
  return {prefix + "weight", first->weight};
}

std::string step_graph_dot(nn::Module& model,
                           const std::function<Tensor(const Tensor&, const Tensor&)>& loss,
                           const Tensor& inputs, const Tensor& targets) {
  const GeneratorState generator = generator_state();
  std::vector<Tensor> buffers, saved;
  for (const auto& named : model.named_buffers()) {
    buffers.push_back(named.second);
    saved.push_back(named.second.clone());
  }
  const bool was_training = model.is_training();
  // Restores everything the forward pass touched, also when it throws.
  struct Restore {
    std::function<void()> undo;
    ~Restore() { undo(); }
  } restore{[&] {
    autograd::NoGradGuard no_grad;
    for (size_t i = 0; i < buffers.size(); ++i) buffers[i].copy_(saved[i]);
    model.train(was_training);
    set_generator_state(generator);
  }};
  model.train();
  std::string dot;
  {
    autograd::GraphCaptureGuard capture;
    const Tensor x = inputs.to(model.device()), y = targets.to(model.device());
    // The loss the Trainer steps on: a hierarchical softmax output's own path loss.
    const std::optional<detail::PathLossModel> path_loss = detail::PathLossModel::of(model);
    const Tensor step_loss = path_loss ? path_loss->loss(x, y) : loss(model(x), y);
    dot = autograd::graph_dot(step_loss, model.named_parameters());
  }
  return dot;
}

}  // namespace nabla::train
