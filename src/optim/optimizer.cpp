// The Optimizer base: groups, defaults, zero_grad and the packed state dict.
#include "nabla/optim/optimizer.hpp"

#include <algorithm>
#include <cmath>

#include "nabla/autograd.hpp"

namespace nabla::optim {

Optimizer::Optimizer(std::string name, Options defaults)
    : name_(std::move(name)), defaults_(std::move(defaults)) {}

void Optimizer::init_groups(std::vector<ParamGroup> groups) {
  NABLA_CHECK(!groups.empty(), name_, ": optimizer got an empty parameter list; pass the "
              "model's parameters()");
  for (ParamGroup& group : groups) add_param_group(std::move(group));
}

void Optimizer::add_param_group(ParamGroup group) {
  NABLA_CHECK(!group.params.empty(), name_, ": parameter group ", groups_.size(),
              " has no parameters (an empty parameter list?); pass the model's parameters()");
  for (const auto& [key, value] : group.options)
    NABLA_CHECK(defaults_.count(key) || key == "initial_lr" || key == "max_lr" ||
                    key == "min_lr" || key == "max_momentum" || key == "base_momentum",
                name_, ": unknown option '", key, "' in parameter group ", groups_.size());
  for (const auto& [key, value] : defaults_) group.options.emplace(key, value);
  validate(group.options);
  for (const Tensor& p : group.params) {
    NABLA_CHECK(p.defined() && p.is_leaf(), name_, ": can only optimize leaf tensors");
    NABLA_CHECK(p.is_contiguous(), name_, ": parameter of shape ", p.shape(),
                " is not contiguous; pass a contiguous tensor (.contiguous() before "
                "requires_grad_)");
    NABLA_CHECK(is_floating(p.dtype()), name_, ": parameters must be float32 or float64, got ",
                p.dtype());
    // Stepping a parameter twice per step() would be a silent bug, so duplicates are errors.
    for (const ParamGroup& other : groups_)
      for (const Tensor& q : other.params)
        NABLA_CHECK(!q.is_same(p), name_, ": a parameter of shape ", p.shape(),
                    " appears in more than one group");
    NABLA_CHECK(std::count_if(group.params.begin(), group.params.end(),
                              [&](const Tensor& q) { return q.is_same(p); }) == 1,
                name_, ": a parameter of shape ", p.shape(), " appears twice in one group");
  }
  groups_.push_back(std::move(group));
}

Tensor Optimizer::step(const Closure& closure) {
  // The closure runs backward, so call it in the caller's grad mode (on, normally).
  Tensor loss = closure();
  step();
  return loss;
}

void Optimizer::zero_grad(bool set_to_none) {
  autograd::NoGradGuard no_grad;
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params) {
      const Tensor g = p.grad();
      if (!g.defined()) continue;
      if (set_to_none) p.set_grad(Tensor());
      else g.zero_();
    }
}

OptimizerState Optimizer::state_dict() const {
  OptimizerState out;
  int64_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string group_key = "param_groups." + std::to_string(g) + ".";
    for (const auto& [key, value] : groups_[g].options) out.scalars[group_key + key] = value;
    out.scalars[group_key + "size"] = static_cast<double>(groups_[g].params.size());
    for (const Tensor& p : groups_[g].params) {
      const std::string prefix = "state." + std::to_string(index++) + ".";
      auto it = state_.find(p.impl());
      if (it == state_.end()) continue;
      for (const auto& [key, t] : it->second.tensors) out.tensors[prefix + key] = t.clone();
      for (const auto& [key, v] : it->second.scalars) out.scalars[prefix + key] = v;
    }
  }
  return out;
}

void Optimizer::load_state_dict(const OptimizerState& state) {
  // Check everything before changing anything, so a bad dict leaves the optimizer as it was.
  auto scalar = [&](const std::string& key) {
    auto it = state.scalars.find(key);
    NABLA_CHECK(it != state.scalars.end(), name_, ".load_state_dict: missing '", key,
                "'; pass a dict saved by state_dict() of the same optimizer type");
    return it->second;
  };
  std::vector<Options> options(groups_.size());
  std::map<const void*, ParamState> loaded;
  size_t total = 0;
  int64_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    const std::string group_key = "param_groups." + std::to_string(g) + ".";
    const auto size = static_cast<size_t>(scalar(group_key + "size"));
    NABLA_CHECK(size == groups_[g].params.size(), name_, ".load_state_dict: group ", g, " has ",
                groups_[g].params.size(), " parameters, the saved one ", size);
    for (const auto& [key, value] : groups_[g].options) options[g][key] = value;
    for (const auto& [key, value] : state.scalars)
      if (key.rfind(group_key, 0) == 0 && key != group_key + "size")
        options[g][key.substr(group_key.size())] = value;
    for (const Tensor& p : groups_[g].params) {
      const std::string prefix = "state." + std::to_string(index++) + ".";
      ParamState ps;
      for (const auto& [key, t] : state.tensors) {
        if (key.rfind(prefix, 0) != 0) continue;
        const std::string name = key.substr(prefix.size());
        // Per-parameter buffers have the parameter's shape; L-BFGS history is flat.
        const bool elementwise = name.find('.') == std::string::npos && name != "d" &&
                                 name != "prev_flat_grad";
        NABLA_CHECK(!elementwise || t.shape() == p.shape(), name_, ".load_state_dict: state '",
                    key, "' has shape ", t.shape(), " but its parameter has shape ", p.shape());
        ps.tensors[name] = t.to(p.dtype()).clone();
        ++total;
      }
      for (const auto& [key, v] : state.scalars)
        if (key.rfind(prefix, 0) == 0) ps.scalars[key.substr(prefix.size())] = v;
      if (!ps.empty()) loaded[p.impl()] = std::move(ps);
    }
  }
  NABLA_CHECK(total == state.tensors.size(), name_, ".load_state_dict: ",
              state.tensors.size() - total, " saved tensors name no parameter of this "
              "optimizer (more parameters saved than present?)");
  NABLA_CHECK(!state.scalars.count("param_groups." + std::to_string(groups_.size()) + ".size"),
              name_, ".load_state_dict: the saved optimizer has more than ", groups_.size(),
              " parameter groups");
  for (size_t g = 0; g < groups_.size(); ++g) {
    validate(options[g]);
    groups_[g].options = std::move(options[g]);
  }
  state_ = std::move(loaded);
}

std::vector<ParamGroup> single_group(std::vector<Tensor> params) {
  std::vector<ParamGroup> groups;
  groups.push_back(ParamGroup{std::move(params), {}});
  return groups;
}

void check_non_negative(const std::string& optimizer, const Options& options,
                        const std::string& key) {
  const double v = options.at(key);
  NABLA_CHECK(v >= 0.0, optimizer, ": invalid ", key, " value: ", v, "; it must be >= 0");
}

void check_in_unit_interval(const std::string& optimizer, const Options& options,
                            const std::string& key) {
  const double v = options.at(key);
  NABLA_CHECK(v >= 0.0 && v < 1.0, optimizer, ": invalid ", key, " value: ", v,
              "; it must lie in [0, 1)");
}

}  // namespace nabla::optim
