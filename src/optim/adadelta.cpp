#include "nabla/optim/adadelta.hpp"

#include "optim/fused_update.hpp"

namespace nabla::optim {

Options AdadeltaOptions::to_map() const {
  return {{"lr", lr}, {"rho", rho}, {"eps", eps}, {"weight_decay", weight_decay},
          {"maximize", maximize ? 1.0 : 0.0}};
}

Adadelta::Adadelta(std::vector<Tensor> params, AdadeltaOptions options)
    : Adadelta(single_group(std::move(params)), options) {}

Adadelta::Adadelta(std::vector<ParamGroup> groups, AdadeltaOptions defaults)
    : Optimizer("Adadelta", defaults.to_map()) {
  init_groups(std::move(groups));
}

void Adadelta::validate(const Options& o) const {
  for (const char* key : {"lr", "eps", "weight_decay"}) check_non_negative("Adadelta", o, key);
  const double rho = option(o, "rho");
  NABLA_CHECK(rho >= 0.0 && rho <= 1.0, "Adadelta: invalid rho value: ", rho,
              "; it must lie in [0, 1]");
}

void Adadelta::step() {
  auto parse = [](const Options& o) {
    OptimizerStepArgs args;
    args.lr = option(o, "lr");
    args.rho = option(o, "rho");
    args.eps = option(o, "eps");
    args.weight_decay = option(o, "weight_decay");
    args.maximize = flag(o, "maximize");
    return args;
  };
  for_each_grad(parse, [&](const OptimizerStepArgs& args, const Tensor& p, const Tensor& grad,
                           ParamState& state) {
    state.scalars["step"] += 1;
    fused_update(OpId::adadelta_step, p, grad,
                 {state_buffer(state.tensors, "square_avg", p),
                  state_buffer(state.tensors, "acc_delta", p), Tensor()},
                 args);
  });
}

}  // namespace nabla::optim
