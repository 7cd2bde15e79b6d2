// nn::Module: parameters, buffers and child modules registered by name, with PyTorch's dotted
// names ("features.0.weight"), train/eval mode, state dicts and freezing.
//
//   class TwoLayer : public nn::Module {
//    public:
//     TwoLayer() : Module("TwoLayer") {
//       fc1_ = register_module("fc1", std::make_shared<nn::Linear>(784, 256));
//       fc2_ = register_module("fc2", std::make_shared<nn::Linear>(256, 10));
//     }
//     Tensor forward(const Tensor& x) override { return (*fc2_)(relu((*fc1_)(x))); }
//    private:
//     std::shared_ptr<nn::Linear> fc1_, fc2_;
//   };
#pragma once
#pragma GCC visibility push(default)

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::nn {

// Ordered (name, tensor) pairs, as torch's OrderedDict state dicts.
using NamedTensors = std::vector<std::pair<std::string, Tensor>>;
using StateDict = NamedTensors;

class Module {
 public:
  explicit Module(std::string type_name);
  virtual ~Module() = default;
  Module(const Module&) = delete;
  Module& operator=(const Module&) = delete;

  virtual Tensor forward(const Tensor& x) = 0;
  // forward(x), then every installed ForwardHook (summaries, activation statistics).
  Tensor operator()(const Tensor& x);
  // Multiply-adds of one forward from `input` to `output` for the summary table; layers that
  // compute with weights (Linear, Conv2d) override it, the rest count as 0.
  virtual int64_t multiply_adds(const Shape& /*input*/, const Shape& /*output*/) const {
    return 0;
  }

  const std::string& type_name() const { return type_name_; }
  NamedTensors named_parameters(bool recurse = true) const;
  std::vector<Tensor> parameters(bool recurse = true) const;
  NamedTensors named_buffers(bool recurse = true) const;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> named_children() const;
  // Parameter elements; with trainable_only, only those that require grad.
  int64_t parameter_count(bool trainable_only = false) const;

  // Moves every parameter, buffer and gradient to `device` in place, as torch's module.to():
  // the tensors keep their identity (handles held by layers, tied weights, named_parameters()
  // lists) and only their memory moves. Create the optimizer after to(), as torch advises: state
  // an optimizer made earlier (momentum buffers) stays where it was. Returns *this.
  //   model->to(Device::CUDA);
  //   optim::Adam adam(model->parameters());
  Module& to(Device device);
  // The device of the first parameter (else buffer); the CPU for a module with neither.
  Device device() const;

  // train() / eval() switch this module and every descendant (dropout, batch norm).
  virtual void train(bool on = true);
  void eval() { train(false); }
  bool is_training() const { return training_; }

  // Parameters then buffers, recursively, by dotted name; the tensors share storage.
  StateDict state_dict() const;
  // Copies values in place. strict: every key must match both ways; any problem is one Error
  // listing the missing, unexpected and mis-shaped keys.
  void load_state_dict(const StateDict& state, bool strict = true);

  // Zeroes every parameter's .grad() in place, or drops it with set_to_none; torch 1.13's
  // default (and Optimizer::zero_grad's) is in place.
  void zero_grad(bool set_to_none = false);
  // Freezing stops gradients into this module's parameters (transfer learning's frozen layers).
  void freeze() { set_requires_grad(false); }
  void unfreeze() { set_requires_grad(true); }

  // PyTorch's repr: "Linear(in_features=4, out_features=2, bias=True)", children indented.
  void print(std::ostream& out, int indent = 0) const;

 protected:
  // Each returns the registered handle; keep a copy in the subclass for forward().
  Tensor register_parameter(const std::string& name, Tensor value, bool requires_grad = true);
  Tensor register_buffer(const std::string& name, Tensor value);
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> module) {
    add_child(name, module);
    return module;
  }
  // What goes between the parentheses of print().
  virtual std::string extra_repr() const { return ""; }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> module);
  void check_new_name(const std::string& name) const;
  void set_requires_grad(bool on);
  void collect(const std::string& prefix, bool recurse, bool buffers, NamedTensors& out) const;

  std::string type_name_;
  NamedTensors parameters_;
  NamedTensors buffers_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  bool training_ = true;
};

std::ostream& operator<<(std::ostream& out, const Module& module);

// The loop Module::zero_grad and Optimizer::zero_grad share: for each defined .grad(), zero it
// in place or (set_to_none) drop it.
void zero_grad_(const std::vector<Tensor>& params, bool set_to_none = false);

// Observes every module call on this thread while a ForwardHookGuard lives; guards nest, the
// innermost runs last. Used by models::summarize and by training monitors (activation
// histograms, dead ReLUs), so layers need no code of their own for either.
using ForwardHook =
    std::function<void(const Module& module, const Tensor& input, const Tensor& output)>;
class ForwardHookGuard {
 public:
  explicit ForwardHookGuard(ForwardHook hook);
  ~ForwardHookGuard();
  ForwardHookGuard(const ForwardHookGuard&) = delete;
  ForwardHookGuard& operator=(const ForwardHookGuard&) = delete;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
