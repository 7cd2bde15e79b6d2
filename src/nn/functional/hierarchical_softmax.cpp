// Hierarchical softmax from existing differentiable ops (index_select, elementwise products and
// sums, the fused binary cross-entropy with logits), so its backward is theirs: the gradient
// reaches only the rows of W and b on the batch's paths.
#include "nabla/nn/functional/hierarchical_softmax.hpp"

#include <algorithm>

#include "nabla/nn/functional/activation.hpp"
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

// The tree one depth at a time, from the path tables. Level l lists the internal nodes and the
// classes one step below level l's nodes (level 0 is the root): for each, its parent's column
// among level l's nodes and the decision's column in [log σ(s) | log σ(−s)].
struct LevelPlan {
  std::vector<std::vector<int64_t>> node_parent, node_edge;  // internal nodes at depth l + 1
  std::vector<std::vector<int64_t>> leaf_parent, leaf_edge;  // classes at depth l + 1
  std::vector<int64_t> class_column;  // class c's column among the leaves laid level by level
};

LevelPlan level_plan(const ClassPaths& paths) {
  const int64_t classes = paths.nodes.size(0), depth = paths.depth, internal = classes - 1;
  const auto* nodes = paths.nodes.data<int64_t>();
  const auto* edges = paths.edges.data<int64_t>();
  const auto* on = paths.on_path.data<float>();
  // Every node's depth and its column within its depth, in the order the paths first meet them.
  std::vector<int64_t> node_depth(static_cast<size_t>(internal), -1), column(static_cast<size_t>(internal), 0);
  std::vector<int64_t> per_depth(static_cast<size_t>(depth), 0);
  LevelPlan plan;
  plan.node_parent.resize(static_cast<size_t>(std::max<int64_t>(depth - 1, 0)));
  plan.node_edge.resize(plan.node_parent.size());
  plan.leaf_parent.resize(static_cast<size_t>(depth));
  plan.leaf_edge.resize(static_cast<size_t>(depth));
  std::vector<std::pair<int64_t, int64_t>> leaf_at(static_cast<size_t>(classes));  // (level, index)
  for (int64_t c = 0; c < classes; ++c) {
    int64_t l = 0;
    for (; l < depth && on[c * depth + l] != 0.0f; ++l) {
      const int64_t node = nodes[c * depth + l];
      if (node_depth[static_cast<size_t>(node)] >= 0) continue;
      node_depth[static_cast<size_t>(node)] = l;
      column[static_cast<size_t>(node)] = per_depth[static_cast<size_t>(l)]++;
      if (l > 0) {
        const int64_t parent = nodes[c * depth + l - 1];
        plan.node_parent[static_cast<size_t>(l - 1)].push_back(column[static_cast<size_t>(parent)]);
        plan.node_edge[static_cast<size_t>(l - 1)].push_back(edges[c * depth + l - 1]);
      }
    }
    const int64_t parent = nodes[c * depth + l - 1];  // the class hangs below its last decision
    auto& level_parents = plan.leaf_parent[static_cast<size_t>(l - 1)];
    leaf_at[static_cast<size_t>(c)] = {l - 1, static_cast<int64_t>(level_parents.size())};
    level_parents.push_back(column[static_cast<size_t>(parent)]);
    plan.leaf_edge[static_cast<size_t>(l - 1)].push_back(edges[c * depth + l - 1]);
  }
  std::vector<int64_t> offset(static_cast<size_t>(depth) + 1, 0);
  for (int64_t l = 0; l < depth; ++l)
    offset[static_cast<size_t>(l + 1)] = offset[static_cast<size_t>(l)] + static_cast<int64_t>(plan.leaf_parent[static_cast<size_t>(l)].size());
  plan.class_column.resize(static_cast<size_t>(classes));
  for (int64_t c = 0; c < classes; ++c) {
    const auto [level, index] = leaf_at[static_cast<size_t>(c)];
    plan.class_column[static_cast<size_t>(c)] = offset[static_cast<size_t>(level)] + index;
  }
  return plan;
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
  const int64_t n = input.size(0);
  // Each node's two log-decisions once, [N, 2(C − 1)]: log σ(s) = −softplus(−s) going left
  // (softplus returns its input above 40, where log(1 + e^x) rounds to x in float64 too) and
  // log σ(−s) = log σ(s) − s going right: one logarithm per node, not two.
  const Tensor scores = linear(input, weight, bias);
  const Tensor left = -softplus(-scores, 1.0, 40.0);
  const Tensor decisions = cat({left, left - scores}, 1);
  // Top down, one depth at a time: log P(reach node) = log P(reach parent) + its decision, and
  // a class adds its last decision to its parent's. O(N · C) in all, where summing each class's
  // path would be O(N · C · depth).
  const LevelPlan plan = level_plan(paths);
  const auto on_device = [&](const std::vector<int64_t>& v) { return from_vector(v).to(input.device()); };
  Tensor reach = zeros({n, 1}, {.dtype = scores.dtype(), .device = scores.device()});  // the root
  std::vector<Tensor> leaves;
  for (size_t level = 0; level < plan.leaf_parent.size(); ++level) {
    const auto step = [&](const std::vector<int64_t>& parent, const std::vector<int64_t>& edge) {
      return index_select(reach, 1, on_device(parent)) + index_select(decisions, 1, on_device(edge));
    };
    if (!plan.leaf_parent[level].empty()) leaves.push_back(step(plan.leaf_parent[level], plan.leaf_edge[level]));
    if (level < plan.node_parent.size()) reach = step(plan.node_parent[level], plan.node_edge[level]);
  }
  return index_select(cat(leaves, 1), 1, on_device(plan.class_column));
}

}  // namespace nabla::nn::functional
