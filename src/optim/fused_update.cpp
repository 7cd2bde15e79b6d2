#include "optim/fused_update.hpp"

#include "core/tensor_impl.hpp"
#include "nabla/autograd.hpp"

namespace nabla::optim {

double option(const Options& options, const std::string& key) {
  auto it = options.find(key);
  NABLA_CHECK(it != options.end(), "optimizer: parameter group has no option '", key, "'");
  return it->second;
}

Tensor state_buffer(std::map<std::string, Tensor>& tensors, const std::string& name,
                    const Tensor& param, double value) {
  auto it = tensors.find(name);
  if (it == tensors.end())
    it = tensors.emplace(name, full(param.shape(), value,
                                    {.dtype = param.dtype(), .device = param.device()})).first;
  return it->second;
}

void fused_update(OpId op, const Tensor& param, const Tensor& grad,
                  const std::array<Tensor, 3>& state, OptimizerStepArgs args) {
  const char* name = op_name(op);
  // The kernel walks flat memory, so every operand must be one dense block of one dtype.
  NABLA_CHECK(param.is_contiguous(), name, ": parameter of shape ", param.shape(),
              " is not contiguous");
  NABLA_CHECK(grad.shape() == param.shape(), name, ": gradient shape ", grad.shape(),
              " differs from the parameter's ", param.shape());
  const Tensor g = (grad.dtype() == param.dtype() ? grad : grad.to(param.dtype())).contiguous();
  autograd::NoGradGuard no_grad;
  args.param = view_of(param);
  args.grad = view_of(g);
  for (size_t k = 0; k < state.size(); ++k) {
    if (!state[k].defined()) continue;
    NABLA_CHECK(state[k].is_contiguous() && state[k].shape() == param.shape() &&
                    state[k].dtype() == param.dtype(),
                name, ": state buffer ", k, " (shape ", state[k].shape(),
                ") does not match the parameter (shape ", param.shape(), ")");
    args.state[k] = view_of(state[k]);
  }
  dispatch(op, param.device(), param.dtype()).optimizer_step(op, args);
  bump_version(param);
  for (const Tensor& s : state)
    if (s.defined()) bump_version(s);
}

}  // namespace nabla::optim
