// graph_dot: the backward graph behind a tensor, drawn for Graphviz.
#include <map>
#include <sstream>
#include <unordered_map>

#include "autograd/node.hpp"

namespace nabla::autograd {

namespace {

std::string shape_text(const Shape& shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

std::string bytes_text(size_t bytes) {
  std::ostringstream out;
  out.precision(3);
  if (bytes < 1024) out << bytes << " B";
  else if (bytes < (size_t{1} << 20)) out << static_cast<double>(bytes) / 1024 << " KiB";
  else out << static_cast<double>(bytes) / (1 << 20) << " MiB";
  return out.str();
}

// A DOT double-quoted string: quotes and backslashes escaped, \l ends a left-aligned line.
std::string quoted(const std::vector<std::string>& lines) {
  std::string out = "\"";
  for (const std::string& line : lines) {
    for (char ch : line) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += "\\l";
  }
  return out + "\"";
}

std::string node_label(const Node& node) {
  std::vector<std::string> lines = {node.name()};
  for (size_t i = 0; i < node.inputs.size(); ++i)
    if (i < node.next.size() && node.next[i].node)
      lines.push_back("in " + std::to_string(i) + ": " + shape_text(node.inputs[i].shape));
  if (!node.saved.empty()) {
    size_t bytes = 0;
    std::string shapes;
    for (const Node::InputMeta& saved : node.saved) {
      bytes += static_cast<size_t>(shape_numel(saved.shape)) * dtype_size(saved.dtype);
      shapes += (shapes.empty() ? "" : " ") + shape_text(saved.shape);
    }
    lines.push_back("saved " + bytes_text(bytes) + ": " + shapes);
  }
  return quoted(lines);
}

}  // namespace

std::string graph_dot(const Tensor& root, const std::vector<std::pair<std::string, Tensor>>& names) {
  NABLA_CHECK(root.defined() && root.impl()->grad_fn != nullptr,
              "graph_dot: the tensor has no autograd history (a leaf, or computed without "
              "gradients); draw the loss of a forward pass whose parameters require grad");
  std::unordered_map<const TensorImpl*, std::string> leaf_names;
  for (const auto& [name, tensor] : names)
    if (tensor.defined()) leaf_names.emplace(tensor.impl(), name);

  std::ostringstream dot;
  dot << "digraph autograd {\n  rankdir=BT;\n  node [fontname=\"DejaVu Sans Mono\", fontsize=10];\n";
  std::map<const Node*, size_t> ids;
  std::vector<const Node*> order = {root.impl()->grad_fn.get()};
  ids[order[0]] = 0;
  for (size_t k = 0; k < order.size(); ++k) {  // breadth first from the root
    const Node* node = order[k];
    if (const auto* accumulate = dynamic_cast<const AccumulateGrad*>(node)) {
      const TensorImpl* leaf = accumulate->leaf();
      const auto name = leaf_names.find(leaf);
      const std::string shown = name != leaf_names.end() ? name->second : "leaf";
      dot << "  n" << k << " [shape=ellipse, style=filled, fillcolor=\"#d5f0d5\", label="
          << quoted({shown, shape_text(leaf->shape) + " gets a gradient"}) << "];\n";
    } else {
      dot << "  n" << k << " [shape=box" << (k == 0 ? ", peripheries=2" : "")
          << ", label=" << node_label(*node) << "];\n";
    }
    for (size_t i = 0; i < node->next.size(); ++i) {
      const Node* producer = node->next[i].node.get();
      if (producer == nullptr) continue;
      auto [it, added] = ids.emplace(producer, order.size());
      if (added) order.push_back(producer);
      dot << "  n" << it->second << " -> n" << k << ";\n";
    }
  }
  dot << "}\n";
  return dot.str();
}

}  // namespace nabla::autograd
