#include "nabla/optim/adam.hpp"

#include "optim/fused_update.hpp"

namespace nabla::optim {

Options AdamOptions::to_map() const {
  return {{"lr", lr}, {"beta1", beta1}, {"beta2", beta2}, {"eps", eps},
          {"weight_decay", weight_decay}, {"amsgrad", amsgrad ? 1.0 : 0.0},
          {"maximize", maximize ? 1.0 : 0.0}};
}

Adam::Adam(std::vector<Tensor> params, AdamOptions options)
    : Adam(single_group(std::move(params)), options) {}

Adam::Adam(std::vector<ParamGroup> groups, AdamOptions defaults)
    : Adam("Adam", std::move(groups), defaults, false) {}

Adam::Adam(std::string name, std::vector<ParamGroup> groups, AdamOptions defaults,
           bool decoupled)
    : Optimizer(std::move(name), defaults.to_map()), decoupled_(decoupled) {
  init_groups(std::move(groups));
}

AdamW::AdamW(std::vector<Tensor> params, AdamWOptions options)
    : AdamW(single_group(std::move(params)), options) {}

AdamW::AdamW(std::vector<ParamGroup> groups, AdamWOptions defaults)
    : Adam("AdamW", std::move(groups), defaults.as_adam(), true) {}

void Adam::validate(const Options& o) const {
  for (const char* key : {"lr", "eps", "weight_decay"}) check_non_negative(name(), o, key);
  for (const char* key : {"beta1", "beta2"}) check_in_unit_interval(name(), o, key);
}

void Adam::step() {
  auto parse = [&](const Options& o) {
    OptimizerStepArgs args;
    args.lr = option(o, "lr");
    args.beta1 = option(o, "beta1");
    args.beta2 = option(o, "beta2");
    args.eps = option(o, "eps");
    args.weight_decay = option(o, "weight_decay");
    args.amsgrad = flag(o, "amsgrad");
    args.maximize = flag(o, "maximize");
    args.decoupled_weight_decay = decoupled_;
    return args;
  };
  for_each_grad(parse, [&](OptimizerStepArgs args, const Tensor& p, const Tensor& grad,
                           ParamState& state) {
    args.step = static_cast<int64_t>(state.scalars["step"] += 1);
    std::array<Tensor, 3> buffers{state_buffer(state.tensors, "exp_avg", p),
                                  state_buffer(state.tensors, "exp_avg_sq", p)};
    if (args.amsgrad) buffers[2] = state_buffer(state.tensors, "max_exp_avg_sq", p);
    fused_update(OpId::adam_step, p, grad, buffers, args);
  });
}

}  // namespace nabla::optim
