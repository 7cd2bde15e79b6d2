#include "nabla/optim/rmsprop.hpp"

#include "optim/fused_update.hpp"

namespace nabla::optim {

Options RMSpropOptions::to_map() const {
  return {{"lr", lr}, {"alpha", alpha}, {"eps", eps}, {"weight_decay", weight_decay},
          {"momentum", momentum}, {"centered", centered ? 1.0 : 0.0},
          {"maximize", maximize ? 1.0 : 0.0}};
}

RMSprop::RMSprop(std::vector<Tensor> params, RMSpropOptions options)
    : RMSprop(single_group(std::move(params)), options) {}

RMSprop::RMSprop(std::vector<ParamGroup> groups, RMSpropOptions defaults)
    : Optimizer("RMSprop", defaults.to_map()) {
  init_groups(std::move(groups));
}

void RMSprop::validate(const Options& o) const {
  for (const char* key : {"lr", "eps", "momentum", "weight_decay", "alpha"})
    check_non_negative("RMSprop", o, key);
}

void RMSprop::step() {
  auto parse = [](const Options& o) {
    OptimizerStepArgs args;
    args.lr = option(o, "lr");
    args.alpha = option(o, "alpha");
    args.eps = option(o, "eps");
    args.weight_decay = option(o, "weight_decay");
    args.momentum = option(o, "momentum");
    args.centered = flag(o, "centered");
    args.maximize = flag(o, "maximize");
    return args;
  };
  for_each_grad(parse, [&](const OptimizerStepArgs& args, const Tensor& p, const Tensor& grad,
                           ParamState& state) {
    state.scalars["step"] += 1;
    std::array<Tensor, 3> buffers{state_buffer(state.tensors, "square_avg", p)};
    if (args.momentum > 0.0) buffers[1] = state_buffer(state.tensors, "momentum_buffer", p);
    if (args.centered) buffers[2] = state_buffer(state.tensors, "grad_avg", p);
    fused_update(OpId::rmsprop_step, p, grad, buffers, args);
  });
}

}  // namespace nabla::optim
