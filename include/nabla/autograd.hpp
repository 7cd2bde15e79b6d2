// Reverse-mode autodiff, define-by-run. An op whose inputs require grad records a Node holding
// what its backward needs; Tensor::backward() walks the nodes in reverse topological order,
// sums gradients where a tensor fed several ops (the notes' "copy gate: gradient adder") and
// accumulates into leaves' .grad().
//
// Writing your own differentiable op:
//   Tensor square(const Tensor& x) {
//     Tensor y = mul(x, x).detach();               // any forward computation
//     autograd::record("square", {x}, y,
//         [saved = autograd::SavedTensor(x, "square")](const Tensor& g, const autograd::GradMask&) {
//           return autograd::Grads{mul(g, saved.get() * 2.0)};
//         });
//     return y;
//   }
// and check it with autograd::gradcheck(fn, {x_f64}).
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::autograd {

class Node;

// One input of a node: the node that produced it (a leaf's AccumulateGrad included).
struct Edge {
  std::shared_ptr<Node> node;  // null when that input needs no gradient
};

class Node {
 public:
  explicit Node(std::string name);
  virtual ~Node() = default;
  // Gradients for each input from the gradient of the output; undefined = no gradient.
  virtual std::vector<Tensor> backward(const Tensor& grad_output) = 0;
  // Frees saved tensors after a backward without retain_graph.
  virtual void release_saved() {}

  const std::string& name() const { return name_; }
  uint64_t sequence_nr() const { return sequence_nr_; }  // creation order: later runs first
  // One per input, in the op's argument order: where its gradient goes, and the shape and
  // dtype that gradient must have (checked, and cast, by the engine).
  struct InputMeta {
    Shape shape;
    DType dtype = DType::f32;
  };
  std::vector<Edge> next;
  std::vector<InputMeta> inputs;
  // The tensors its backward keeps (shape and dtype), recorded only while a GraphCaptureGuard
  // lives on the thread that ran the op (for graph_dot); empty otherwise.
  std::vector<InputMeta> saved;

 private:
  std::string name_;
  uint64_t sequence_nr_;
};

using Grads = std::vector<Tensor>;
using GradMask = std::vector<bool>;  // which inputs need a gradient
using BackwardFn = std::function<Grads(const Tensor& grad_output, const GradMask& needs_grad)>;

// A tensor kept for backward. It remembers the storage version at save time, and get() raises
// an Error naming the op if an in-place change happened since (a silent wrong gradient otherwise).
class SavedTensor {
 public:
  SavedTensor() = default;
  SavedTensor(const Tensor& tensor, const char* op);
  Tensor get() const;

 private:
  Tensor tensor_;  // detached alias: shares storage and version, not history
  uint64_t version_ = 0;
  const char* op_ = "";
};

// True when grad mode is on and any input requires grad.
bool any_requires_grad(std::initializer_list<Tensor> inputs);
bool any_requires_grad(const std::vector<Tensor>& inputs);
// Makes `output` the result of a node named `name` over `inputs` when any_requires_grad.
void record(const char* name, const std::vector<Tensor>& inputs, Tensor& output,
            BackwardFn backward);

// While one lives, the ops run on this thread record which tensors each node saves for its
// backward (Node::saved), so graph_dot can show them. Off by default: it costs a small
// allocation per saved tensor.
class GraphCaptureGuard {
 public:
  GraphCaptureGuard();
  ~GraphCaptureGuard();
  GraphCaptureGuard(const GraphCaptureGuard&) = delete;
  GraphCaptureGuard& operator=(const GraphCaptureGuard&) = delete;

 private:
  bool previous_;
};

// The autograd graph behind `root` in Graphviz DOT (`dot -Tsvg step.dot > step.svg`): a box per
// backward node with its op name, its inputs' shapes and the tensors it saved (with their
// bytes, when captured under a GraphCaptureGuard), an ellipse per leaf that receives a gradient,
// named from `names` (a module's named_parameters()) where it is one of them, and arrows in the
// direction data flowed in the forward pass. An Error when root has no autograd history.
std::string graph_dot(const Tensor& root,
                      const std::vector<std::pair<std::string, Tensor>>& names = {});

// Grad mode is thread-local and on by default.
bool grad_enabled();
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// The engine behind Tensor::backward.
void backward(const Tensor& root, const Tensor& grad = {}, bool retain_graph = false);

// Finite-difference check of a function's gradients (PyTorch's defaults). Inputs must be f64;
// those with requires_grad are checked. Every output element's gradient row is compared with
// central differences: |analytic - numeric| <= atol + rtol * |numeric|.
struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-5;
  double rtol = 1e-3;
};
struct GradcheckResult {
  bool ok = true;
  double max_abs_error = 0.0;  // over all compared elements
  std::string report;          // the worst element: input, index, analytic, numeric
  explicit operator bool() const { return ok; }
};
using GradcheckFn = std::function<Tensor(const std::vector<Tensor>&)>;
GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                          GradcheckOptions options = {});

}  // namespace nabla::autograd

#pragma GCC visibility pop
