// The backward pass: count how many gradients each node waits for, then run nodes as their
// inputs complete, latest-created first (PyTorch's order), summing gradients that meet at a node.
#include <queue>
#include <unordered_map>

#include "autograd/node.hpp"
#include "nabla/ops.hpp"

namespace nabla::autograd {

namespace {

Tensor seed_gradient(const Tensor& root, const Tensor& grad) {
  if (!grad.defined()) {
    NABLA_CHECK(root.numel() == 1, "backward: a gradient can be created implicitly only for a "
                "one-element output, this one has shape ", root.shape(),
                "; pass one of that shape, e.g. y.backward(ones_like(y)), or reduce y first");
    return ones_like(root);
  }
  NABLA_CHECK(grad.shape() == root.shape(), "backward: gradient of shape ", grad.shape(),
              " for an output of shape ", root.shape(), "; they must match");
  return grad.dtype() == root.dtype() ? grad : grad.to(root.dtype());
}

// How many gradients each node reachable from `root` will receive.
std::unordered_map<Node*, int> count_dependencies(Node* root) {
  std::unordered_map<Node*, int> deps;
  std::vector<Node*> stack{root};
  deps[root] = 0;
  while (!stack.empty()) {
    Node* node = stack.back();
    stack.pop_back();
    for (const Edge& edge : node->next) {
      if (!edge.node) continue;
      auto [it, first_visit] = deps.try_emplace(edge.node.get(), 0);
      ++it->second;
      if (first_visit) stack.push_back(edge.node.get());
    }
  }
  return deps;
}

// The gradient for input `i`, checked against the input's shape and cast to its dtype (an
// f32 tensor that met an f64 one gets an f32 gradient).
Tensor checked_gradient(const Node& node, size_t i, const Tensor& grad) {
  const Node::InputMeta& input = node.inputs[i];
  NABLA_CHECK(grad.shape() == input.shape, "backward of '", node.name(),
              "' returned a gradient of shape ", grad.shape(), " for input ", i, " of shape ",
              input.shape, "; the op's backward is wrong");
  return grad.dtype() == input.dtype ? grad : grad.to(input.dtype);
}

struct LaterFirst {
  bool operator()(const Node* a, const Node* b) const { return a->sequence_nr() < b->sequence_nr(); }
};

}  // namespace

void backward(const Tensor& root, const Tensor& grad, bool retain_graph) {
  NABLA_CHECK(root.defined(), "backward: called on an undefined tensor");
  NABLA_CHECK(root.requires_grad(), "backward: the tensor of shape ", root.shape(),
              " does not require grad and has no grad_fn; call requires_grad_() on the inputs "
              "you want gradients for, and do not compute it under a NoGradGuard");
  Tensor seed = seed_gradient(root, grad);
  NoGradGuard no_grad;  // backward formulas are not themselves recorded

  const std::shared_ptr<Node> root_node = gradient_edge(root);
  std::unordered_map<Node*, int> deps = count_dependencies(root_node.get());
  std::unordered_map<Node*, Tensor> pending{{root_node.get(), seed}};
  std::priority_queue<Node*, std::vector<Node*>, LaterFirst> ready;
  ready.push(root_node.get());

  while (!ready.empty()) {
    Node* node = ready.top();
    ready.pop();
    auto it = pending.find(node);
    std::vector<Tensor> grads;
    if (it != pending.end()) {  // else every path into it carried no gradient
      const Tensor grad_output = std::move(it->second);
      pending.erase(it);
      grads = node->backward(grad_output);
    }
    if (!retain_graph) node->release_saved();
    NABLA_CHECK(grads.empty() || grads.size() == node->next.size(), "backward of '",
                node->name(), "' returned ", grads.size(), " gradients for ", node->next.size(),
                " inputs");
    for (size_t i = 0; i < node->next.size(); ++i) {
      Node* next = node->next[i].node.get();
      if (next == nullptr) continue;
      if (i < grads.size() && grads[i].defined()) {
        const Tensor g = checked_gradient(*node, i, grads[i]);
        Tensor& slot = pending[next];
        slot = slot.defined() ? add(slot, g) : g;  // the copy gate's adder
      }
      if (--deps[next] == 0) ready.push(next);
    }
  }
}

}  // namespace nabla::autograd
