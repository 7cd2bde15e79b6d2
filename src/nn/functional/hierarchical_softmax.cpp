// Hierarchical softmax from existing differentiable ops (index_select, batched matmul, the fused
// binary cross-entropy with logits), so its backward is theirs: the gradient reaches only the
// rows of W and b on the batch's paths.
#include "nabla/nn/functional/hierarchical_softmax.hpp"

#include <algorithm>

#include "nabla/nn/functional/linear.hpp"
#include "nabla/ops.hpp"

namespace nabla::nn::functional {

namespace {

void check_operands(const char* where, const Tensor& input, const Tensor& weight,
                    const Tensor& bias, const ClassPaths& paths) {
  NABLA_CHECK(paths.nodes.defined() && paths.depth >= 1, where,
              ": the class paths are empty; make them with ClassTree::paths()");
  const int64_t nodes = paths.nodes.size(0) - 1;  // C − 1 internal nodes for C classes
  NABLA_CHECK(input.dim() == 2, where, ": expected input [N, in_features], got ", input.shape());
  NABLA_CHECK(weight.dim() == 2 && weight.size(0) == nodes && weight.size(1) == input.size(1), where,
              ": weight ", weight.shape(), " does not fit input ", input.shape(), " and a tree of ",
              nodes + 1, " classes; it must be [", nodes, ", ", input.size(1), "]");
  NABLA_CHECK(!bias.defined() || (bias.dim() == 1 && bias.size(0) == nodes), where, ": bias ",
              bias.shape(), " must be [", nodes, "] for a tree of ", nodes + 1, " classes");
}

// The paths' tables on the input's device and, for the floating ones, in its dtype.
Tensor like_input(const Tensor& table, const Tensor& input, bool floating) {
  Tensor out = table.to(input.device());
  return floating ? out.to(input.dtype()) : out;
}

}  // namespace

Tensor hierarchical_softmax_nll(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const ClassPaths& paths, const Tensor& target, Reduction reduction) {
  check_operands("hierarchical_softmax_nll", input, weight, bias, paths);
  const int64_t n = input.size(0), depth = paths.depth, classes = paths.nodes.size(0);
  NABLA_CHECK(target.dtype() == DType::i64 && target.dim() == 1 && target.size(0) == n,
              "hierarchical_softmax_nll: expected int64 class indices [", n, "], got ",
              dtype_name(target.dtype()), " ", target.shape());
  // The batch's rows of the path tables, gathered on the host (O(N · depth)).
  const std::vector<int64_t> classes_of = target.to_vector<int64_t>();
  const size_t cells = static_cast<size_t>(n * depth);
  std::vector<int64_t> node_rows(cells);
  std::vector<float> left_rows(cells), on_rows(cells);
  const auto* node_table = paths.nodes.data<int64_t>();
  const auto* left_table = paths.go_left.data<float>();
  const auto* on_table = paths.on_path.data<float>();
  for (int64_t i = 0; i < n; ++i) {
    const int64_t c = classes_of[static_cast<size_t>(i)];
    NABLA_CHECK(c >= 0 && c < classes, "hierarchical_softmax_nll: target ", i, " is class ", c,
                "; the tree has classes 0..", classes - 1);
    const auto from = static_cast<size_t>(c * depth), to = static_cast<size_t>(i * depth);
    std::copy_n(node_table + from, depth, node_rows.begin() + static_cast<std::ptrdiff_t>(to));
    std::copy_n(left_table + from, depth, left_rows.begin() + static_cast<std::ptrdiff_t>(to));
    std::copy_n(on_table + from, depth, on_rows.begin() + static_cast<std::ptrdiff_t>(to));
  }
  const auto on_device = [&](const Tensor& host, bool floating) { return like_input(host, input, floating); };
  const Tensor nodes = on_device(from_vector(node_rows), false);
  // s[n, l] = W[node(n, l)] · x[n] + b[node(n, l)]: one small matrix-vector product per sample.
  const Tensor rows = index_select(weight, 0, nodes).view({n, depth, input.size(1)});
  Tensor scores = matmul(rows, unsqueeze(input, 2)).view({n, depth});
  if (bias.defined()) scores = scores + index_select(bias, 0, nodes).view({n, depth});
  const Tensor go_left = on_device(from_vector(left_rows, {n, depth}), true);
  const Tensor on_path = on_device(from_vector(on_rows, {n, depth}), true);
  const Tensor steps = binary_cross_entropy_with_logits(
      scores, go_left, {.weight = on_path, .reduction = Reduction::none});
  return reduce_loss(sum(steps, {1}), reduction);
}

Tensor hierarchical_log_softmax(const Tensor& input, const Tensor& weight, const Tensor& bias,
                                const ClassPaths& paths) {
  check_operands("hierarchical_log_softmax", input, weight, bias, paths);
  const int64_t n = input.size(0), depth = paths.depth, classes = paths.nodes.size(0);
  const Tensor scores = linear(input, weight, bias);  // every node once: [N, C − 1]
  const Tensor nodes = like_input(paths.nodes, input, false).flatten();
  const Tensor go_left = unsqueeze(like_input(paths.go_left, input, true), 0);
  const Tensor on_path = unsqueeze(like_input(paths.on_path, input, true), 0);
  // The [rows, C, depth] table of path scores is the memory cost; rows are taken a chunk at a
  // time so it stays near 2^22 elements.
  const int64_t chunk = std::max<int64_t>(1, (int64_t{1} << 22) / std::max<int64_t>(1, classes * depth));
  std::vector<Tensor> parts;
  for (int64_t start = 0; start < n || (n == 0 && parts.empty()); start += chunk) {
    const int64_t rows = std::min(chunk, n - start);
    const Tensor along = index_select(scores.narrow(0, start, rows), 1, nodes).view({rows, classes, depth});
    const Tensor steps = binary_cross_entropy_with_logits(
        along, expand(go_left, {rows, classes, depth}), {.weight = on_path, .reduction = Reduction::none});
    parts.push_back(-sum(steps, {2}));
    if (n == 0) break;
  }
  return parts.size() == 1 ? parts.front() : cat(parts, 0);
}

}  // namespace nabla::nn::functional
