// The binary tree over C classes that hierarchical softmax walks (Morin & Bengio 2005; Mikolov
// et al. 2013 with Huffman codes): C − 1 internal nodes, each a logistic "left or right"
// decision; a class's probability is the product of the decisions on its path from the root, so
// the C probabilities sum to 1 and one class costs only its path (about log2 C decisions).
#pragma once
#pragma GCC visibility push(default)

#include <array>
#include <cstdint>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::nn {

// Every class's path as [C, L] tables, L the depth of the deepest class; row c, column l is the
// l-th decision on class c's path. Rows of shallower classes are padded with node 0 and
// on_path 0.
struct ClassPaths {
  Tensor nodes;    // int64: the internal node deciding
  Tensor go_left;  // f32: 1 where the path goes left (probability σ(s)), 0 right (σ(−s))
  Tensor on_path;  // f32: 1 on the path, 0 in the padding
  // int64: the decision's column in [log σ(s) | log σ(−s) | 0] of C − 1, C − 1 and 1 columns
  // (node, C − 1 + node, or 2(C − 1) in the padding), for every class's log-probability at once.
  Tensor edges;
  int64_t depth = 0;
};

struct ClassTree {
  // children[i] = {left, right} of internal node i (node 0 is the root); k >= 0 is internal node
  // k, a negative value −1 − c is class c.
  std::vector<std::array<int64_t, 2>> children;

  int64_t num_classes() const { return static_cast<int64_t>(children.size()) + 1; }

  // Depth ⌈log2 C⌉ for every class; class c's code is its index's binary digits when C is a
  // power of two.
  static ClassTree balanced(int64_t num_classes);
  // Huffman's tree over class frequencies (counts or probabilities, >= 0): frequent classes sit
  // near the root, so the mean path length weighted by frequency is below the frequencies'
  // entropy in bits plus one. Ties go to the class or node made first (deterministic).
  static ClassTree huffman(const std::vector<double>& frequencies);
  // A balanced tree from class similarity: every node splits its classes into halves along the
  // first principal direction of their feature means ([C, D], e.g. each class's mean input), so
  // a decision separates neighbouring groups of classes rather than arbitrary ones (Mnih &
  // Hinton 2009 build the tree from the classes' features for the same reason).
  static ClassTree clustered(const Tensor& class_means);
  // From the [C − 1, 2] int64 table to_tensor() gives; an Error unless it is one tree whose
  // leaves are the classes 0..C − 1, each once.
  static ClassTree from_tensor(const Tensor& children);
  Tensor to_tensor() const;

  ClassPaths paths() const;
  std::vector<int64_t> depths() const;  // the path length of each class
};

}  // namespace nabla::nn

#pragma GCC visibility pop
