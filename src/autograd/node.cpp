#include "autograd/node.hpp"

#include <atomic>

namespace nabla::autograd {

namespace {
std::atomic<uint64_t> next_sequence_nr{0};
thread_local bool grad_mode = true;
thread_local bool capture_graph = false;
// What the SavedTensors made since the last record() hold: an op builds its backward closure,
// saving tensors, just before it calls record(), which hands them to the new node.
thread_local std::vector<Node::InputMeta> pending_saved;
}  // namespace

GraphCaptureGuard::GraphCaptureGuard() : previous_(capture_graph) { capture_graph = true; }
GraphCaptureGuard::~GraphCaptureGuard() {
  capture_graph = previous_;
  pending_saved.clear();
}

bool grad_enabled() { return grad_mode; }
NoGradGuard::NoGradGuard() : previous_(grad_mode) { grad_mode = false; }
NoGradGuard::~NoGradGuard() { grad_mode = previous_; }

Node::Node(std::string name) : name_(std::move(name)), sequence_nr_(next_sequence_nr++) {}

// --- saved tensors --------------------------------------------------------------------------
SavedTensor::SavedTensor(const Tensor& tensor, const char* op)
    : tensor_(tensor.detach()), version_(tensor.version()), op_(op) {
  if (capture_graph && tensor.defined()) pending_saved.push_back({tensor.shape(), tensor.dtype()});
}

Tensor SavedTensor::get() const {
  NABLA_CHECK(tensor_.defined(), op_, " backward: a saved tensor was already freed; call "
              "backward(grad, /*retain_graph=*/true) to backpropagate through a graph twice");
  NABLA_CHECK(tensor_.version() == version_, op_, " backward: a tensor of shape ",
              tensor_.shape(), " saved by '", op_, "' was modified in place after it was saved "
              "(version ", tensor_.version(), ", saved at ", version_,
              "); clone it before the in-place change or use the out-of-place op");
  return tensor_;
}

// --- nodes ----------------------------------------------------------------------------------
FunctionNode::FunctionNode(std::string name, BackwardFn fn, GradMask needs_grad)
    : Node(std::move(name)), fn_(std::move(fn)), needs_grad_(std::move(needs_grad)) {}

std::vector<Tensor> FunctionNode::backward(const Tensor& grad_output) {
  NABLA_CHECK(fn_ != nullptr, "backward through '", name(), "' a second time: its saved "
              "tensors were freed after the first backward; pass retain_graph=true to the first");
  return fn_(grad_output, needs_grad_);
}

AccumulateGrad::AccumulateGrad(std::shared_ptr<TensorImpl> leaf)
    : Node("AccumulateGrad"), leaf_(std::move(leaf)) {}

std::vector<Tensor> AccumulateGrad::backward(const Tensor& grad_output) {
  NoGradGuard no_grad;
  if (leaf_->grad == nullptr) {
    leaf_->grad = grad_output.clone().impl_ptr();  // own memory: the gradient may be a view
  } else {
    Tensor(leaf_->grad).add_(grad_output);
  }
  return {};
}

std::shared_ptr<Node> gradient_edge(const Tensor& t) {
  if (!t.requires_grad()) return nullptr;
  TensorImpl* impl = t.impl();
  if (impl->grad_fn) return impl->grad_fn;
  auto accumulator = impl->grad_accumulator.lock();
  if (!accumulator) {
    accumulator = std::make_shared<AccumulateGrad>(t.impl_ptr());
    impl->grad_accumulator = accumulator;
  }
  return accumulator;
}

// --- recording ------------------------------------------------------------------------------
bool any_requires_grad(std::initializer_list<Tensor> inputs) {
  if (!grad_mode) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

bool any_requires_grad(const std::vector<Tensor>& inputs) {
  if (!grad_mode) return false;
  for (const Tensor& t : inputs)
    if (t.defined() && t.requires_grad()) return true;
  return false;
}

void record(const char* name, const std::vector<Tensor>& inputs, Tensor& output,
            BackwardFn backward) {
  std::vector<Node::InputMeta> saved;
  if (capture_graph) saved.swap(pending_saved);
  if (!any_requires_grad(inputs)) return;
  GradMask needs(inputs.size());
  for (size_t i = 0; i < inputs.size(); ++i)
    needs[i] = inputs[i].defined() && inputs[i].requires_grad();
  auto node = std::make_shared<FunctionNode>(name, std::move(backward), needs);
  node->saved = std::move(saved);
  for (const Tensor& t : inputs) {
    node->next.push_back(Edge{t.defined() ? gradient_edge(t) : nullptr});
    node->inputs.push_back({t.defined() ? t.shape() : Shape{}, t.defined() ? t.dtype() : DType::f32});
  }
  output.impl()->requires_grad = true;
  output.impl()->grad_fn = std::move(node);
}

}  // namespace nabla::autograd
