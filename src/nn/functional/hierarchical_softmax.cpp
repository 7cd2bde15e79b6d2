// Hierarchical softmax from existing differentiable ops (index_select, elementwise products and
// sums, the fused binary cross-entropy with logits), so its backward is theirs: the gradient
// reaches only the rows of W and b on the batch's paths.
#include "nabla/nn/functional/hierarchical_softmax.hpp"

#include <algorithm>

#include "nabla/nn/functional/linear.hpp"
#include "nabla/ops.hpp"

namespace nabla::nn::functional {

namespace {

void check_operands(const char* where, const Tensor& input, const Tensor& weight,
                    const Tensor& bias, const ClassPaths& paths) {
  NABLA_CHECK(paths.nodes.defined() && paths.edges.defined() && paths.depth >= 1 &&
                  paths.nodes.device() == Device::CPU,
              where, ": the class paths are empty or off the host; make them with ClassTree::paths()");
  const int64_t nodes = paths.nodes.size(0) - 1;  // C − 1 internal nodes for C classes
  NABLA_CHECK(input.dim() == 2, where, ": expected input [N, in_features], got ", input.shape());
  NABLA_CHECK(weight.dim() == 2 && weight.size(0) == nodes && weight.size(1) == input.size(1), where,
              ": weight ", weight.shape(), " does not fit input ", input.shape(), " and a tree of ",
              nodes + 1, " classes; it must be [", nodes, ", ", input.size(1), "]");
  NABLA_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == nodes), where, ": bias ",
              bias.shape(), " must be [", nodes, "] for a tree of ", nodes + 1, " classes");
}

}  // namespace

Tensor hierarchical_softmax_nll(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const ClassPaths& paths, const Tensor& target, Reduction reduction) {
  check_operands("hierarchical_softmax_nll", input, weight, bias, paths);
  const int64_t n = input.size(0), depth = paths.depth, classes = paths.nodes.size(0);
  NABLA_CHECK(target.dtype() == DType::i64 && target.dim() == 1 && target.size(0) == n,
              "hierarchical_softmax_nll: expected int64 class indices [", n, "], got ",
              dtype_name(target.dtype()), " ", target.shape());
  // The batch's decisions laid end to end, sample after sample (Σ path lengths of them, not
  // N × the deepest path: a Huffman tree's rare classes sit deep), gathered on the host.
  const std::vector<int64_t> classes_of = target.to_vector<int64_t>();
  std::vector<int64_t> node_of, sample_of;
  std::vector<float> left_of;
  std::vector<int64_t> slot(static_cast<size_t>(n * depth), -1);  // (sample, step) → decision
  const auto* node_table = paths.nodes.data<int64_t>();
  const auto* left_table = paths.go_left.data<float>();
  const auto* on_table = paths.on_path.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = classes_of[static_cast<size_t>(i)];
    NABLA_CHECK(c >= 0 && c < classes, "hierarchical_softmax_nll: target ", i, " is class ", c,
                "; the tree has classes 0..", classes - 1);
    for (int64_t l = 0; l < depth && on_table[c * depth + l] != 0.0f; ++l) {
      slot[static_cast<size_t>(i * depth + l)] = static_cast<int64_t>(node_of.size());
      node_of.push_back(node_table[c * depth + l]);
      sample_of.push_back(i);
      left_of.push_back(left_table[c * depth + l]);
    }
  }
  if (node_of.empty()) return reduce_loss(zeros({n}, {.dtype = input.dtype(), .device = input.device()}), reduction);
  const auto decisions = static_cast<int64_t>(node_of.size());
  const Tensor nodes = from_vector(node_of).to(input.device());
  // s = W[node] · x[sample] + b[node] for each decision.
  const Tensor rows = index_select(weight, 0, nodes);
  const Tensor features = index_select(input, 0, from_vector(sample_of).to(input.device()));
  Tensor scores = sum(rows * features, {1});
  if (bias.defined()) scores = scores + index_select(bias, 0, nodes);
  const Tensor go_left = from_vector(left_of).to(input.device()).to(input.dtype());
  if (reduction.kind() != Reduction::none) {
    const Tensor total = binary_cross_entropy_with_logits(scores, go_left, {.reduction = Reduction::sum});
    return reduction.kind() == Reduction::sum ? total : total / static_cast<double>(n);
  }
  // Per sample: the decisions back into [N, depth] rows (a zero after the last one pads them).
  const Tensor steps = binary_cross_entropy_with_logits(scores, go_left, {.reduction = Reduction::none});
  for (int64_t& s : slot) s = s < 0 ? decisions : s;
  const Tensor padded = cat({steps, zeros({1}, {.dtype = steps.dtype(), .device = steps.device()})});
  return sum(index_select(padded, 0, from_vector(slot).to(input.device())).view({n, depth}), {1});
}

Tensor hierarchical_log_softmax(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const ClassPaths& paths) {
  check_operands("hierarchical_log_softmax", input, weight, bias, paths);
  const int64_t n = input.size(0), depth = paths.depth, classes = paths.nodes.size(0);
  // Each node's two log-decisions once, [N, 2(C − 1) + 1]; then each class sums its path's
  // columns (paths.edges), a gather instead of a logarithm per class and step.
  const Tensor scores = linear(input, weight, bias);
  const Tensor padding_column = zeros({n, 1}, {.dtype = scores.dtype(), .device = scores.device()});
  const Tensor decisions =
      cat({-binary_cross_entropy_with_logits(scores, ones_like(scores), {.reduction = Reduction::none}),
           -binary_cross_entropy_with_logits(scores, zeros_like(scores), {.reduction = Reduction::none}),
           padding_column},
          1);
  const Tensor edges = paths.edges.to(input.device()).flatten();
  // The [rows, C, depth] gather is the memory cost; rows go a chunk at a time so it stays near
  // 2^22 elements.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(1, classes * depth));
  if (n <= chunk) return sum(index_select(decisions, 1, edges).view({n, classes, depth}), {2});
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < n; start += chunk) {
    const int64_t rows = std::min(chunk, n - start);
    parts.push_back(sum(index_select(decisions.narrow(0, start, rows), 1, edges).view({rows, classes, depth}), {2}));
  }
  return cat(parts, 0);
}

}  // namespace nabla::nn::functional
