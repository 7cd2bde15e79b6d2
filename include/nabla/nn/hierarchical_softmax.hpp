// nn::HierarchicalSoftmax: an output layer over a class tree, the notes' answer to "softmax when
// C is very large". forward(x) gives log p(c | x) for every class ([N, C], exact: usable as
// logits by evaluation, prediction and ensembles); loss(x, target) gives −log p(target | x)
// from the target's path alone, which a Trainer uses in training when a Sequential ends in this
// layer. State dict: weight [C − 1, in], bias [C − 1], tree [C − 1, 2] (the tree's children
// table, so a Huffman tree comes back with the weights).
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/class_tree.hpp"
#include "nabla/nn/functional/hierarchical_softmax.hpp"
#include "nabla/nn/module.hpp"

namespace nabla::nn {

struct HierarchicalSoftmaxOptions {
  int64_t in_features = 0;
  ClassTree tree;  // e.g. ClassTree::balanced(C) or ClassTree::huffman(class counts)
  bool bias = true;
  DType dtype = DType::f32;
};

class HierarchicalSoftmax : public Module {
 public:
  explicit HierarchicalSoftmax(HierarchicalSoftmaxOptions options);
  HierarchicalSoftmax(int64_t in_features, int64_t num_classes)
      : HierarchicalSoftmax({.in_features = in_features, .tree = ClassTree::balanced(num_classes)}) {}
  Tensor forward(const Tensor& x) override;
  Tensor loss(const Tensor& x, const Tensor& target,
              functional::Reduction reduction = functional::Reduction::mean);
  int64_t num_classes() const { return num_classes_; }
  // The tree as loaded (load_state_dict may replace it).
  ClassTree class_tree() const { return ClassTree::from_tensor(tree); }
  int64_t multiply_adds(const Shape& input, const Shape& output) const override;

  Tensor weight, bias, tree;  // bias undefined when options.bias is false

 protected:
  std::string extra_repr() const override;

 private:
  const ClassPaths& paths();  // rebuilt when the tree buffer changes

  int64_t in_features_, num_classes_;
  ClassPaths paths_;
  uint64_t paths_version_ = 0;
  bool paths_made_ = false;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
