// The Optimizer base: groups, defaults, zero_grad and the packed state dict.
#include "nabla/optim/optimizer.hpp"

#include <cmath>
#include <optional>
#include <unordered_set>
#include <utility>

#include "nabla/autograd.hpp"
#include "nabla/nn/module.hpp"

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
    NABLA_CHECK(defaults_.count(key) || extra_keys_.count(key), name_, ": unknown option '", key,
                "' in parameter group ", groups_.size());
  for (const auto& [key, value] : defaults_) group.options.emplace(key, value);
  validate(group.options);
  // Stepping a parameter twice per step() would be a silent bug, so duplicates are errors.
  std::unordered_set<const void*> earlier, mine;
  for (const ParamGroup& other : groups_)
    for (const Tensor& q : other.params) earlier.insert(q.impl());
  for (const Tensor& p : group.params) {
    NABLA_CHECK(p.defined() && p.is_leaf(), name_, ": can only optimize leaf tensors");
    NABLA_CHECK(p.is_contiguous(), name_, ": parameter of shape ", p.shape(),
                " is not contiguous; pass a contiguous tensor (.contiguous() before "
                "requires_grad_)");
    NABLA_CHECK(is_floating(p.dtype()), name_, ": parameters must be float32 or float64, got ",
                p.dtype());
    NABLA_CHECK(!earlier.count(p.impl()), name_, ": a parameter of shape ", p.shape(),
                " appears in more than one group");
    NABLA_CHECK(mine.insert(p.impl()).second, name_, ": a parameter of shape ", p.shape(),
                " appears twice in one group");
  }
  groups_.push_back(std::move(group));
}

void Optimizer::check_grads() const {
  for (const ParamGroup& group : groups_)
    for (const Tensor& p : group.params) {
      const Tensor grad = p.grad();
      if (!grad.defined()) continue;
      NABLA_CHECK(is_floating(p.dtype()) && p.is_contiguous(), name_, ".step: parameter of ",
                  "shape ", p.shape(), " and dtype ", p.dtype(), " is not a contiguous float ",
                  "tensor; keep param_groups() to contiguous float32/float64 leaves");
      NABLA_CHECK(grad.shape() == p.shape(), name_, ".step: gradient shape ", grad.shape(),
                  " differs from the parameter's ", p.shape());
    }
}

Tensor Optimizer::step(const Closure& closure) {
  // The closure runs backward, so call it in the caller's grad mode (on, normally).
  Tensor loss = closure();
  step();
  return loss;
}

void Optimizer::zero_grad(bool set_to_none) {
  for (const ParamGroup& group : groups_) nn::zero_grad_(group.params, set_to_none);
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

namespace {

// Splits "<prefix><n>.<name>" into (n, name); nullopt for keys of another form.
std::optional<std::pair<size_t, std::string>> split_key(const std::string& key,
                                                        const std::string& prefix) {
  if (key.rfind(prefix, 0) != 0) return std::nullopt;
  const size_t dot = key.find('.', prefix.size());
  if (dot == std::string::npos || dot == prefix.size()) return std::nullopt;
  size_t n = 0;
  for (size_t i = prefix.size(); i < dot; ++i) {
    if (key[i] < '0' || key[i] > '9') return std::nullopt;
    n = n * 10 + static_cast<size_t>(key[i] - '0');
  }
  return std::pair{n, key.substr(dot + 1)};
}

// Entries of a saved map grouped by their index, read in one pass (not once per parameter).
template <class V>
std::map<size_t, std::map<std::string, V>> by_index(const std::map<std::string, V>& entries,
                                                    const std::string& prefix) {
  std::map<size_t, std::map<std::string, V>> out;
  for (const auto& [key, value] : entries)
    if (auto split = split_key(key, prefix)) out[split->first][split->second] = value;
  return out;
}

}  // namespace

void Optimizer::load_state_dict(const OptimizerState& state) {
  // Check everything before changing anything, so a bad dict leaves the optimizer as it was.
  const auto saved_tensors = by_index(state.tensors, "state.");
  const auto saved_scalars = by_index(state.scalars, "state.");
  const auto saved_groups = by_index(state.scalars, "param_groups.");
  std::vector<Options> options(groups_.size());
  std::map<const void*, ParamState> loaded;
  size_t total = 0;
  size_t index = 0;
  for (size_t g = 0; g < groups_.size(); ++g) {
    auto group = saved_groups.find(g);
    const bool has_size = group != saved_groups.end() && group->second.count("size");
    NABLA_CHECK(has_size, name_, ".load_state_dict: missing 'param_groups.", g, ".size'; pass "
                "a dict saved by state_dict() of the same optimizer type");
    const auto size = static_cast<size_t>(group->second.at("size"));
    NABLA_CHECK(size == groups_[g].params.size(), name_, ".load_state_dict: group ", g, " has ",
                groups_[g].params.size(), " parameters, the saved one ", size);
    options[g] = groups_[g].options;
    for (const auto& [key, value] : group->second)
      if (key != "size") options[g][key] = value;
    for (const Tensor& p : groups_[g].params) {
      ParamState ps;
      if (auto it = saved_tensors.find(index); it != saved_tensors.end())
        for (const auto& [name, t] : it->second) {
          const std::string key = "state." + std::to_string(index) + "." + name;
          ++total;
          if (!is_param_buffer(name)) {  // kept as saved (L-BFGS's f64 history)
            ps.tensors[name] = t.clone();
            continue;
          }
          NABLA_CHECK(t.shape() == p.shape(), name_, ".load_state_dict: state '", key,
                      "' has shape ", t.shape(), " but its parameter has shape ", p.shape());
          ps.tensors[name] = t.to(p.dtype()).to(p.device()).clone();
        }
      if (auto it = saved_scalars.find(index); it != saved_scalars.end())
        ps.scalars = it->second;
      if (!ps.empty()) loaded[p.impl()] = std::move(ps);
      ++index;
    }
  }
  NABLA_CHECK(total == state.tensors.size(), name_, ".load_state_dict: ",
              state.tensors.size() - total, " saved tensors name no parameter of this "
              "optimizer (more parameters saved than present?)");
  NABLA_CHECK(!saved_groups.count(groups_.size()), name_, ".load_state_dict: the saved ",
              "optimizer has more than ", groups_.size(), " parameter groups");
  for (size_t g = 0; g < groups_.size(); ++g) validate(options[g]);
  for (size_t g = 0; g < groups_.size(); ++g) groups_[g].options = std::move(options[g]);
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
