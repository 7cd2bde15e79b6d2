// Hierarchical softmax over a class tree (nn::ClassTree): internal node k scores
// s_k = x·W_k + b_k, and p(c | x) = Π over c's path of σ(s_k) going left, σ(−s_k) going right.
//   hierarchical_softmax_nll  −log p(target | x), reading only the target's path: O(depth · in)
//                             per sample instead of the full softmax's O(C · in); for training
//   hierarchical_log_softmax  log p(c | x) for every class, [N, C], exact (the probabilities
//                             sum to 1); for evaluation and prediction
// x [N, in], W [C − 1, in], b [C − 1] or undefined, target int64 [N] in 0..C − 1.
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/class_tree.hpp"
#include "nabla/nn/functional/loss.hpp"

namespace nabla::nn::functional {

Tensor hierarchical_softmax_nll(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const ClassPaths& paths, const Tensor& target,
                                Reduction reduction = Reduction::mean);
Tensor hierarchical_log_softmax(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const ClassPaths& paths);

}  // namespace nabla::nn::functional

#pragma GCC visibility pop
