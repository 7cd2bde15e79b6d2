#include "nabla/optim/adagrad.hpp"

#include "optim/fused_update.hpp"

namespace nabla::optim {

Options AdagradOptions::to_map() const {
  return {{"lr", lr}, {"lr_decay", lr_decay}, {"weight_decay", weight_decay},
          {"initial_accumulator_value", initial_accumulator_value}, {"eps", eps},
          {"maximize", maximize ? 1.0 : 0.0}};
}

Adagrad::Adagrad(std::vector<Tensor> params, AdagradOptions options)
    : Adagrad(single_group(std::move(params)), options) {}

Adagrad::Adagrad(std::vector<ParamGroup> groups, AdagradOptions defaults)
    : Optimizer("Adagrad", defaults.to_map()) {
  init_groups(std::move(groups));
  // torch fills the accumulator at construction, so it is in the state dict before any step.
  for (const ParamGroup& group : param_groups())
    for (const Tensor& p : group.params) {
      ParamState& state = state_of(p);
      state.scalars["step"] = 0;
      state_buffer(state.tensors, "sum", p, option(group.options, "initial_accumulator_value"));
    }
}

void Adagrad::validate(const Options& o) const {
  for (const char* key : {"lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"})
    check_non_negative("Adagrad", o, key);
}

void Adagrad::step() {
  struct Args {
    OptimizerStepArgs kernel;
    double initial_accumulator_value;
  };
  auto parse = [](const Options& o) {
    Args args;
    args.kernel.lr = option(o, "lr");
    args.kernel.lr_decay = option(o, "lr_decay");
    args.kernel.weight_decay = option(o, "weight_decay");
    args.kernel.eps = option(o, "eps");
    args.kernel.maximize = flag(o, "maximize");
    args.initial_accumulator_value = option(o, "initial_accumulator_value");
    return args;
  };
  for_each_grad(parse, [&](const Args& a, const Tensor& p, const Tensor& grad, ParamState& state) {
    OptimizerStepArgs args = a.kernel;
    args.step = static_cast<int64_t>(state.scalars["step"] += 1);
    const Tensor sum = state_buffer(state.tensors, "sum", p, a.initial_accumulator_value);
    fused_update(OpId::adagrad_step, p, grad, {sum, Tensor(), Tensor()}, args);
  });
}

}  // namespace nabla::optim
