// L-BFGS, torch.optim.LBFGS (1.13): limited-memory quasi-Newton over all parameters as one
// flat vector, with an optional strong-Wolfe line search (cubic interpolation and zoom).
// Full-batch only; step(closure) re-evaluates the loss as often as it needs.
//
//   optim::LBFGS lbfgs(model.parameters(), {.line_search_fn = "strong_wolfe"});
//   lbfgs.step([&] { lbfgs.zero_grad(); Tensor l = loss(model); l.backward(); return l; });
//
// State (on the first parameter, as torch): "func_evals", "n_iter", "t", "H_diag",
// "prev_loss" scalars; "d", "prev_flat_grad" and the history "old_dirs.<i>", "old_stps.<i>"
// tensors with "ro.<i>" scalars.
#pragma once
#pragma GCC visibility push(default)

#include <optional>
#include <string>

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

struct LBFGSOptions {
  double lr = 1.0;
  int64_t max_iter = 20;
  std::optional<int64_t> max_eval = std::nullopt;  // max_iter * 5 / 4 when unset, as torch
  double tolerance_grad = 1e-7;
  double tolerance_change = 1e-9;
  int64_t history_size = 100;
  std::string line_search_fn;  // "" (fixed step lr) or "strong_wolfe"
  Options to_map() const;
};

class LBFGS : public Optimizer {
 public:
  LBFGS(std::vector<Tensor> params, LBFGSOptions options = {});
  // Runs up to max_iter iterations; returns the loss the closure gave at the start.
  Tensor step(const Closure& closure) override;
  // L-BFGS needs to re-evaluate the loss: step() without a closure is an Error.
  void step() override;
  // How many times the closure ran in total (torch's state["func_evals"]).
  int64_t func_evals();

 protected:
  void validate(const Options& options) const override;
  // Every state tensor is flat f64 history, not a per-element buffer: loading keeps it f64, so
  // a resumed f32 run continues exactly as an uninterrupted one.
  bool is_param_buffer(const std::string& /*name*/) const override { return false; }
};

}  // namespace nabla::optim

#pragma GCC visibility pop
