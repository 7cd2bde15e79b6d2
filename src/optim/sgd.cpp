#include "nabla/optim/sgd.hpp"

#include "optim/fused_update.hpp"

namespace nabla::optim {

Options SGDOptions::to_map() const {
  return {{"lr", lr}, {"momentum", momentum}, {"dampening", dampening},
          {"weight_decay", weight_decay}, {"nesterov", nesterov ? 1.0 : 0.0},
          {"maximize", maximize ? 1.0 : 0.0}};
}

SGD::SGD(std::vector<Tensor> params, SGDOptions options)
    : SGD(single_group(std::move(params)), options) {}

SGD::SGD(std::vector<ParamGroup> groups, SGDOptions defaults)
    : Optimizer("SGD", defaults.to_map()) {
  init_groups(std::move(groups));
}

void SGD::validate(const Options& o) const {
  NABLA_CHECK(!std::isnan(option(o, "lr")), "SGD: lr is required (torch has no default); pass "
              "SGDOptions{.lr = 0.01}");
  for (const char* key : {"lr", "momentum", "weight_decay"}) check_non_negative("SGD", o, key);
  NABLA_CHECK(!flag(o, "nesterov") || (option(o, "momentum") > 0 && option(o, "dampening") == 0),
              "SGD: Nesterov momentum requires a momentum > 0 and zero dampening (got momentum ",
              option(o, "momentum"), ", dampening ", option(o, "dampening"), ")");
}

void SGD::step() {
  auto parse = [](const Options& o) {
    OptimizerStepArgs args;
    args.lr = option(o, "lr");
    args.momentum = option(o, "momentum");
    args.dampening = option(o, "dampening");
    args.weight_decay = option(o, "weight_decay");
    args.nesterov = flag(o, "nesterov");
    args.maximize = flag(o, "maximize");
    return args;
  };
  for_each_grad(parse, [&](OptimizerStepArgs args, const Tensor& p, const Tensor& grad,
                           ParamState& state) {
    Tensor buffer;
    if (args.momentum != 0.0) {
      // torch creates the buffer from the first gradient; the kernel fills it (first_step).
      args.first_step = !state.tensors.count("momentum_buffer");
      buffer = state_buffer(state.tensors, "momentum_buffer", p);
    }
    fused_update(OpId::sgd_step, p, grad, {buffer, Tensor(), Tensor()}, args);
  });
}

}  // namespace nabla::optim
