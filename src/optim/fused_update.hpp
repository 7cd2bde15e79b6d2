// The bridge from an optimizer to the backend's fused optimizer_step kernels: checks the
// operands, runs the one-pass update under no-grad and bumps the versions, as an in-place op.
#pragma once

#include <array>
#include <map>
#include <string>

#include "backend/backend.hpp"
#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

// Reads group options with the optimizer's name in the error if one is missing.
double option(const Options& options, const std::string& key);
inline bool flag(const Options& options, const std::string& key) {
  return option(options, key) != 0.0;
}

// The state buffer `name`, created filled with `value` in the parameter's shape and dtype the
// first time it is asked for (torch's lazy state initialisation).
Tensor state_buffer(std::map<std::string, Tensor>& tensors, const std::string& name,
                    const Tensor& param, double value = 0.0);

// Runs `op` over param, its gradient and up to three state buffers (undefined = unused slot).
// `args` carries the hyperparameters; the views are filled in here.
void fused_update(OpId op, const Tensor& param, const Tensor& grad,
                  const std::array<Tensor, 3>& state, OptimizerStepArgs args);

}  // namespace nabla::optim
