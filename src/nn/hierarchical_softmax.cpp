#include "nabla/nn/hierarchical_softmax.hpp"

#include "nabla/nn/init.hpp"
#include "nabla/ops.hpp"
#include "nn/layer_checks.hpp"
#include "nn/repr.hpp"

namespace nabla::nn {

HierarchicalSoftmax::HierarchicalSoftmax(HierarchicalSoftmaxOptions options)
    : Module("HierarchicalSoftmax"),
      in_features_(options.in_features),
      num_classes_(options.tree.num_classes()) {
  NABLA_CHECK(options.in_features > 0, "HierarchicalSoftmax: in_features (", options.in_features,
              ") must be positive");
  NABLA_CHECK(num_classes_ >= 2, "HierarchicalSoftmax: the class tree has ", num_classes_,
              " classes; make it with ClassTree::balanced(C) or ClassTree::huffman(counts), C >= 2");
  const int64_t nodes = num_classes_ - 1;
  // Each internal node is a logistic unit on the features: initialised as a Linear(in, C − 1).
  weight = register_parameter("weight", empty({nodes, in_features_}, {.dtype = options.dtype}));
  if (options.bias) bias = register_parameter("bias", empty({nodes}, {.dtype = options.dtype}));
  init::linear_default_(weight, bias);
  tree = register_buffer("tree", ClassTree::from_tensor(options.tree.to_tensor()).to_tensor());
}

const ClassPaths& HierarchicalSoftmax::paths() {
  if (!paths_made_ || tree.version() != paths_version_) {
    paths_ = class_tree().paths();
    paths_version_ = tree.version();
    paths_made_ = true;
  }
  return paths_;
}

Tensor HierarchicalSoftmax::forward(const Tensor& x) {
  check_in_features("HierarchicalSoftmax", x, in_features_);
  return functional::hierarchical_log_softmax(x, weight, bias, paths());
}

Tensor HierarchicalSoftmax::loss(const Tensor& x, const Tensor& target,
                                 functional::Reduction reduction) {
  check_in_features("HierarchicalSoftmax", x, in_features_);
  return functional::hierarchical_softmax_nll(x, weight, bias, paths(), target, reduction);
}

int64_t HierarchicalSoftmax::multiply_adds(const Shape& input, const Shape& /*output*/) const {
  // forward() scores every internal node; training reads only the target's path.
  return shape_numel(input) * (num_classes_ - 1);
}

std::string HierarchicalSoftmax::extra_repr() const {
  return "in_features=" + std::to_string(in_features_) + ", num_classes=" +
         std::to_string(num_classes_) + ", bias=" + py_bool(bias.defined());
}

}  // namespace nabla::nn
