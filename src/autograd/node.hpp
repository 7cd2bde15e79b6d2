// The two kinds of graph node nabla creates: a FunctionNode wrapping an op's backward closure,
// and AccumulateGrad, the sink that adds into a leaf's .grad().
#pragma once

#include "core/tensor_impl.hpp"
#include "nabla/autograd.hpp"

namespace nabla::autograd {

class FunctionNode final : public Node {
 public:
  FunctionNode(std::string name, BackwardFn fn, GradMask needs_grad);
  std::vector<Tensor> backward(const Tensor& grad_output) override;
  void release_saved() override { fn_ = nullptr; }

 private:
  BackwardFn fn_;
  GradMask needs_grad_;
};

class AccumulateGrad final : public Node {
 public:
  explicit AccumulateGrad(std::shared_ptr<TensorImpl> leaf);
  std::vector<Tensor> backward(const Tensor& grad_output) override;
  const TensorImpl* leaf() const { return leaf_.get(); }

 private:
  std::shared_ptr<TensorImpl> leaf_;
};

// The node that receives gradients for `t`: its grad_fn, or its leaf accumulator.
std::shared_ptr<Node> gradient_edge(const Tensor& t);

}  // namespace nabla::autograd
