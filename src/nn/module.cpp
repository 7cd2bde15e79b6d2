#include "nabla/nn/module.hpp"

#include <algorithm>
#include <map>
#include <unordered_set>

#include "backend/backend.hpp"
#include "core/tensor_impl.hpp"
#include "nabla/autograd.hpp"

namespace nabla::nn {

Module::Module(std::string type_name) : type_name_(std::move(type_name)) {}

namespace {
thread_local std::vector<ForwardHook> forward_hooks;
}  // namespace

ForwardHookGuard::ForwardHookGuard(ForwardHook hook) { forward_hooks.push_back(std::move(hook)); }
ForwardHookGuard::~ForwardHookGuard() { forward_hooks.pop_back(); }

Tensor Module::operator()(const Tensor& x) {
  Tensor y = forward(x);
  if (forward_hooks.empty()) return y;  // the usual case: no copy
  // A hook may install or drop a ForwardHookGuard (e.g. by calling a module that is profiled),
  // which would invalidate an iterator into the live list; run the hooks seen on entry.
  const std::vector<ForwardHook> hooks = forward_hooks;
  for (const ForwardHook& hook : hooks) hook(*this, x, y);
  return y;
}

void Module::check_new_name(const std::string& name) const {
  NABLA_CHECK(!name.empty() && name.find('.') == std::string::npos, type_name_,
              ": invalid name '", name, "'; names are non-empty and have no '.'");
  auto taken = [&](const auto& list) {
    return std::any_of(list.begin(), list.end(), [&](const auto& p) { return p.first == name; });
  };
  NABLA_CHECK(!taken(parameters_) && !taken(buffers_) && !taken(children_), type_name_,
              ": the name '", name, "' is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor value, bool requires_grad) {
  check_new_name(name);
  NABLA_CHECK(value.defined() && is_floating(value.dtype()), type_name_, ": parameter '", name,
              "' must be a defined floating tensor");
  Tensor leaf = value.is_leaf() ? value : value.detach();
  leaf.requires_grad_(requires_grad);
  parameters_.emplace_back(name, leaf);
  return leaf;
}

Tensor Module::register_buffer(const std::string& name, Tensor value) {
  check_new_name(name);
  NABLA_CHECK(value.defined(), type_name_, ": buffer '", name, "' must be a defined tensor");
  buffers_.emplace_back(name, value.detach());
  return buffers_.back().second;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> module) {
  check_new_name(name);
  NABLA_CHECK(module != nullptr, type_name_, ": child module '", name, "' is null");
  children_.emplace_back(name, std::move(module));
}

void Module::collect(const std::string& prefix, bool recurse, bool buffers,
                     NamedTensors& out) const {
  for (const auto& [name, t] : buffers ? buffers_ : parameters_) out.emplace_back(prefix + name, t);
  if (!recurse) return;
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", true, buffers, out);
}

NamedTensors Module::named_parameters(bool recurse) const {
  NamedTensors all;
  collect("", recurse, false, all);
  // A tensor shared by two modules (tied weights) is listed once, under its first name, as
  // torch does; otherwise an optimizer would see it twice and counts would double.
  NamedTensors out;
  std::unordered_set<const TensorImpl*> seen;
  for (auto& entry : all)
    if (seen.insert(entry.second.impl()).second) out.push_back(std::move(entry));
  return out;
}

std::vector<Tensor> Module::parameters(bool recurse) const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters(recurse)) out.push_back(t);
  return out;
}

NamedTensors Module::named_buffers(bool recurse) const {
  NamedTensors out;
  collect("", recurse, true, out);
  return out;
}

std::vector<std::pair<std::string, std::shared_ptr<Module>>> Module::named_children() const {
  return children_;
}

int64_t Module::parameter_count(bool trainable_only) const {
  int64_t count = 0;
  for (const auto& [name, t] : named_parameters())
    if (!trainable_only || t.requires_grad()) count += t.numel();
  return count;
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

StateDict Module::state_dict() const {
  // Every key, shared tensors under each of their names, as torch's state_dict.
  StateDict out;
  collect("", true, false, out);
  for (auto& entry : named_buffers()) out.push_back(entry);
  return out;
}

void Module::load_state_dict(const StateDict& state, bool strict) {
  std::map<std::string, Tensor> given(state.begin(), state.end());
  std::vector<std::string> missing, mismatched;
  StateDict own = state_dict();
  for (const auto& [name, target] : own) {
    auto it = given.find(name);
    if (it == given.end()) { missing.push_back(name); continue; }
    if (it->second.shape() != target.shape()) {
      mismatched.push_back(detail::concat(name, " (checkpoint ", it->second.shape(), ", model ",
                                          target.shape(), ")"));
    }
  }
  std::vector<std::string> unexpected;
  for (const auto& [name, t] : state)
    // Captured by an init-capture: clang before 16 cannot capture a structured binding.
    if (std::none_of(own.begin(), own.end(), [&n = name](const auto& p) { return p.first == n; }))
      unexpected.push_back(name);
  auto join = [](const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
    return s.empty() ? std::string("none") : s;
  };
  const bool key_problem = strict && (!missing.empty() || !unexpected.empty());
  NABLA_CHECK(!key_problem && mismatched.empty(), "load_state_dict into ", type_name_,
              ": missing keys: ", join(missing), "; unexpected keys: ", join(unexpected),
              "; mis-shaped keys: ", join(mismatched),
              " (strict=false tolerates missing and unexpected keys, never mis-shaped ones)");
  autograd::NoGradGuard no_grad;  // nothing is written unless every key checked out
  for (auto& [name, target] : own)
    if (auto it = given.find(name); it != given.end()) target.copy_(it->second);
}

namespace {
// Each distinct storage is copied once, so tied weights and views sharing memory stay shared.
void move_storages(const std::vector<TensorImpl*>& impls, Device device) {
  std::map<const Storage*, std::shared_ptr<Storage>> moved;
  for (TensorImpl* impl : impls) {
    const std::shared_ptr<Storage>& old = impl->storage;
    if (old->device == device) continue;
    auto it = moved.find(old.get());
    if (it == moved.end()) {
      auto fresh = std::make_shared<Storage>(old->bytes, device);
      copy_between_devices(fresh->data, device, old->data, old->device, old->bytes);
      fresh->version.store(old->version.load() + 1);
      it = moved.emplace(old.get(), std::move(fresh)).first;
    }
    impl->storage = it->second;
  }
}
}  // namespace

Module& Module::to(Device device) {
  backend_for(device);  // a device this build lacks fails before anything moves
  std::vector<TensorImpl*> impls;
  for (const auto& [name, t] : state_dict()) {
    impls.push_back(t.impl());
    if (const Tensor g = t.grad(); g.defined()) impls.push_back(g.impl());
  }
  move_storages(impls, device);
  return *this;
}

Device Module::device() const {
  const NamedTensors params = named_parameters();
  if (!params.empty()) return params.front().second.device();
  const NamedTensors buffers = named_buffers();
  return buffers.empty() ? Device(Device::CPU) : buffers.front().second.device();
}

void Module::zero_grad(bool set_to_none) { nn::zero_grad_(parameters(), set_to_none); }

void zero_grad_(const std::vector<Tensor>& params, bool set_to_none) {
  autograd::NoGradGuard no_grad;
  for (const Tensor& p : params) {
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    if (set_to_none) p.set_grad(Tensor());
    else g.zero_();
  }
}

void Module::set_requires_grad(bool on) {
  for (auto& [name, t] : named_parameters()) t.requires_grad_(on);
}

void Module::print(std::ostream& out, int indent) const {
  out << type_name_ << '(' << extra_repr();
  if (!children_.empty()) {
    out << '\n';
    for (const auto& [name, child] : children_) {
      out << std::string(indent + 2, ' ') << '(' << name << "): ";
      child->print(out, indent + 2);
      out << '\n';
    }
    out << std::string(indent, ' ');
  }
  out << ')';
}

std::ostream& operator<<(std::ostream& out, const Module& module) {
  module.print(out);
  return out;
}

}  // namespace nabla::nn
