// Optimizer base: parameter groups with per-group hyperparameters, per-parameter state, and
// state dicts, as torch.optim.Optimizer (1.13).
//
//   optim::SGD sgd(model.parameters(), {.lr = 0.1, .momentum = 0.9});
//   for (...) { sgd.zero_grad(); loss(model).backward(); sgd.step(); }
//
// Hyperparameters live in each group's `options`, keyed by torch's names ("lr", "momentum",
// "weight_decay", ...; Adam's betas are "beta1" and "beta2", booleans are 0 or 1). A group
// passed without some key takes the optimizer's default, exactly as torch's param_groups dicts,
// so a schedule or a user can change group.options["lr"] between steps.
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::optim {

using Options = std::map<std::string, double>;

struct ParamGroup {
  std::vector<Tensor> params;
  Options options;  // missing keys take the optimizer's defaults
  double lr() const { return options.at("lr"); }
};

// An optimizer's saved state: per-parameter buffers and scalars named
// "state.<index>.<name>" (index counts parameters across groups in order, as torch's packed
// state dict) and each group's hyperparameters as "param_groups.<g>.<name>", plus
// "param_groups.<g>.size" for the group's parameter count. Tensors are copies.
struct OptimizerState {
  std::map<std::string, Tensor> tensors;
  std::map<std::string, double> scalars;
};

// Recomputes the loss with fresh gradients (zero_grad, forward, backward) and returns it.
using Closure = std::function<Tensor()>;

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One update of every parameter that has a gradient.
  virtual void step() = 0;
  // Calls the closure (with grad mode on) for the loss, then step(); returns that loss. L-BFGS
  // overrides it, re-evaluating the closure as often as its line search needs.
  virtual Tensor step(const Closure& closure);

  // torch 1.13's default clears gradients to zero in place; set_to_none drops them.
  void zero_grad(bool set_to_none = false);
  void add_param_group(ParamGroup group);
  std::vector<ParamGroup>& param_groups() { return groups_; }
  const std::vector<ParamGroup>& param_groups() const { return groups_; }
  const Options& defaults() const { return defaults_; }
  // Lets groups carry `key` besides the defaults: a scheduler registers the keys it writes
  // into the groups ("initial_lr", OneCycleLR's "max_lr", ...), so the base knows no schedule.
  void allow_option(const std::string& key) { extra_keys_.insert(key); }
  const std::string& name() const { return name_; }

  OptimizerState state_dict() const;
  // Restores state and group hyperparameters; the number of groups, their sizes and every
  // buffer's shape must match this optimizer's parameters (an Error names the mismatch).
  void load_state_dict(const OptimizerState& state);

 protected:
  // Tensors and scalars kept for one parameter (torch's optimizer.state[p]).
  struct ParamState {
    std::map<std::string, Tensor> tensors;
    std::map<std::string, double> scalars;
    bool empty() const { return tensors.empty() && scalars.empty(); }
  };

  Optimizer(std::string name, Options defaults);
  // Called by subclass constructors once their validate() is ready to run.
  void init_groups(std::vector<ParamGroup> groups);
  // Throws a nabla::Error for a hyperparameter torch would reject.
  virtual void validate(const Options& options) const = 0;
  ParamState& state_of(const Tensor& param) { return state_[param.impl()]; }
  // Whether the state tensor `name` is a per-element buffer (the parameter's shape, stored in
  // its dtype); load_state_dict checks and converts those and keeps the others as saved.
  virtual bool is_param_buffer(const std::string& /*name*/) const { return true; }
  // The loop every elementwise optimizer's step() runs: parse(group options) once per group
  // (not once per parameter), then fn(args, param, grad, state) for every parameter that has
  // a gradient, in order. Every operand and every group is checked before the first update,
  // so a step that throws leaves parameters and state as they were.
  template <class Parse, class F> void for_each_grad(Parse&& parse, F&& fn) {
    check_grads();
    std::vector<decltype(parse(groups_[0].options))> args;
    args.reserve(groups_.size());
    for (const ParamGroup& group : groups_) args.push_back(parse(group.options));
    for (size_t g = 0; g < groups_.size(); ++g)
      for (const Tensor& p : groups_[g].params) {
        const Tensor grad = p.grad();
        if (grad.defined()) fn(args[g], p, grad, state_of(p));
      }
  }

 private:
  std::string name_;
  Options defaults_;
  // Throws unless every parameter with a gradient is a dense floating block of its
  // gradient's shape (param_groups() is writable, so add_param_group's checks may be stale).
  void check_grads() const;
  std::set<std::string> extra_keys_;  // group keys allowed besides the defaults
  std::vector<ParamGroup> groups_;
  std::map<const void*, ParamState> state_;  // keyed by the parameter, never its position
};

// One group holding `params`, for the constructors that take a plain parameter list.
std::vector<ParamGroup> single_group(std::vector<Tensor> params);

// Shared validation helpers: each throws "<optimizer>: invalid <what> value: <v>; <fix>".
void check_non_negative(const std::string& optimizer, const Options& options,
                        const std::string& key);
void check_in_unit_interval(const std::string& optimizer, const Options& options,
                            const std::string& key);  // [0, 1)

}  // namespace nabla::optim

#pragma GCC visibility pop
