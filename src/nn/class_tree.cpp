// Building class trees (balanced, Huffman), checking one read from a state dict, and laying out
// every class's path for the batched hierarchical softmax.
#include "nabla/nn/class_tree.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <queue>
#include <tuple>
#include <utility>

#include "nabla/error.hpp"

namespace nabla::nn {

namespace {

int64_t leaf(int64_t c) { return -1 - c; }

// Calls visit(class, path) for every class, path = [(node, went_left)], root first.
template <class Visit>
void walk(const ClassTree& tree, Visit visit) {
  std::vector<std::pair<int64_t, bool>> path;
  // An explicit stack: a Huffman tree over skewed frequencies can be C − 1 deep.
  struct Frame { int64_t node; int side; };
  std::vector<Frame> stack = {{0, 0}};
  while (!stack.empty()) {
    Frame& top = stack.back();
    if (top.side == 2) {
      stack.pop_back();
      if (!path.empty()) path.pop_back();
      continue;
    }
    const int side = top.side++;
    const int64_t child = tree.children[static_cast<size_t>(top.node)][static_cast<size_t>(side)];
    if (side == 1) path.back().second = false;
    else path.emplace_back(top.node, true);
    if (child < 0) visit(-1 - child, path);
    else stack.push_back({child, 0});
  }
}

// Breadth-first halving: node k takes a group of classes, `order` arranges them, the first
// ⌈n/2⌉ go left and the rest right; nodes are numbered in the order made, so for a power of two
// node k's children are 2k + 1 and 2k + 2, as in a binary heap.
template <class Order>
ClassTree halving_tree(int64_t num_classes, Order order) {
  ClassTree tree;
  tree.children.resize(static_cast<size_t>(num_classes - 1));
  struct Group { int64_t node; std::vector<int64_t> classes; };
  std::vector<int64_t> all(static_cast<size_t>(num_classes));
  for (int64_t c = 0; c < num_classes; ++c) all[static_cast<size_t>(c)] = c;
  std::deque<Group> todo;
  todo.push_back({0, std::move(all)});
  int64_t made = 1;
  while (!todo.empty()) {
    Group group = std::move(todo.front());
    todo.pop_front();
    const std::vector<int64_t> ordered = order(std::move(group.classes));
    const auto mid = static_cast<std::ptrdiff_t>((ordered.size() + 1) / 2);
    const std::vector<int64_t> halves[2] = {{ordered.begin(), ordered.begin() + mid},
                                            {ordered.begin() + mid, ordered.end()}};
    for (size_t side = 0; side < 2; ++side) {
      int64_t& slot = tree.children[static_cast<size_t>(group.node)][side];
      if (halves[side].size() == 1) {
        slot = leaf(halves[side].front());
      } else {
        slot = made++;
        todo.push_back({slot, halves[side]});
      }
    }
  }
  return tree;
}

}  // namespace

ClassTree ClassTree::balanced(int64_t num_classes) {
  NABLA_CHECK(num_classes >= 2, "ClassTree::balanced: ", num_classes,
              " classes; a class tree needs at least 2");
  return halving_tree(num_classes, [](std::vector<int64_t> group) { return group; });
}

namespace {

// The classes of `group` ordered by their projection on the first principal direction of their
// centred feature rows (power iteration from the row farthest from the centre).
std::vector<int64_t> principal_order(const std::vector<double>& means, int64_t dims,
                                     std::vector<int64_t> group) {
  const auto row = [&](int64_t c) { return means.data() + c * dims; };
  std::vector<double> centre(static_cast<size_t>(dims), 0.0), v(static_cast<size_t>(dims), 0.0);
  for (int64_t c : group)
    for (int64_t d = 0; d < dims; ++d) centre[static_cast<size_t>(d)] += row(c)[d] / static_cast<double>(group.size());
  const auto centred_dot = [&](int64_t c, const std::vector<double>& u) {
    double s = 0;
    for (int64_t d = 0; d < dims; ++d) s += (row(c)[d] - centre[static_cast<size_t>(d)]) * u[static_cast<size_t>(d)];
    return s;
  };
  double farthest = -1;
  for (int64_t c : group) {
    double norm = 0;
    for (int64_t d = 0; d < dims; ++d) norm += std::pow(row(c)[d] - centre[static_cast<size_t>(d)], 2);
    if (norm > farthest) {
      farthest = norm;
      for (int64_t d = 0; d < dims; ++d) v[static_cast<size_t>(d)] = row(c)[d] - centre[static_cast<size_t>(d)];
    }
  }
  for (int iteration = 0; iteration < 12 && farthest > 0; ++iteration) {
    std::vector<double> next(static_cast<size_t>(dims), 0.0);
    for (int64_t c : group) {
      const double p = centred_dot(c, v);
      for (int64_t d = 0; d < dims; ++d) next[static_cast<size_t>(d)] += p * (row(c)[d] - centre[static_cast<size_t>(d)]);
    }
    double norm = 0;
    for (double x : next) norm += x * x;
    if (norm == 0) break;
    for (size_t d = 0; d < next.size(); ++d) v[d] = next[d] / std::sqrt(norm);
  }
  std::vector<std::pair<double, int64_t>> keyed;
  for (int64_t c : group) keyed.emplace_back(centred_dot(c, v), c);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < keyed.size(); ++i) group[i] = keyed[i].second;
  return group;
}

}  // namespace

ClassTree ClassTree::clustered(const Tensor& class_means) {
  NABLA_CHECK(class_means.dim() == 2 && class_means.size(0) >= 2 && class_means.size(1) >= 1 &&
                  (class_means.dtype() == DType::f32 || class_means.dtype() == DType::f64),
              "ClassTree::clustered: expected floating class means [C, D] with C >= 2, got ",
              dtype_name(class_means.dtype()), " ", class_means.shape());
  const int64_t classes = class_means.size(0), dims = class_means.size(1);
  const std::vector<double> means = class_means.to(DType::f64).contiguous().to_vector<double>();
  for (size_t i = 0; i < means.size(); ++i)
    NABLA_CHECK(std::isfinite(means[i]), "ClassTree::clustered: class ", static_cast<int64_t>(i) / dims,
                " has a non-finite mean; every class needs samples with finite features");
  return halving_tree(classes, [&](std::vector<int64_t> group) {
    return principal_order(means, dims, std::move(group));
  });
}

ClassTree ClassTree::huffman(const std::vector<double>& frequencies) {
  const auto count = static_cast<int64_t>(frequencies.size());
  NABLA_CHECK(count >= 2, "ClassTree::huffman: ", count,
              " class frequencies; a class tree needs at least 2");
  for (size_t c = 0; c < frequencies.size(); ++c)
    NABLA_CHECK(std::isfinite(frequencies[c]) && frequencies[c] >= 0, "ClassTree::huffman: class ",
                c, " has frequency ", frequencies[c], "; frequencies are finite and >= 0");
  // (weight, order made, id): the lightest two merge first; ties go to the older entry, which
  // keeps equal weights balanced. id >= 0 is a merge (internal node), id < 0 a class.
  using Entry = std::tuple<double, int64_t, int64_t>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue;
  for (int64_t c = 0; c < count; ++c) queue.emplace(frequencies[static_cast<size_t>(c)], c, leaf(c));
  std::vector<std::array<int64_t, 2>> merges;  // in the order made; the last is the root
  int64_t order = count;
  while (queue.size() > 1) {
    const auto [w0, o0, a] = queue.top();
    queue.pop();
    const auto [w1, o1, b] = queue.top();
    queue.pop();
    merges.push_back({a, b});
    queue.emplace(w0 + w1, order++, static_cast<int64_t>(merges.size()) - 1);
  }
  // Renumber so the root is node 0: merge m becomes node (merges − 1 − m).
  const auto last = static_cast<int64_t>(merges.size()) - 1;
  ClassTree tree;
  tree.children.resize(merges.size());
  for (int64_t m = 0; m <= last; ++m)
    for (size_t side = 0; side < 2; ++side) {
      const int64_t child = merges[static_cast<size_t>(m)][side];
      tree.children[static_cast<size_t>(last - m)][side] = child < 0 ? child : last - child;
    }
  return tree;
}

ClassTree ClassTree::from_tensor(const Tensor& children) {
  NABLA_CHECK(children.dtype() == DType::i64 && children.dim() == 2 && children.size(1) == 2 &&
                  children.size(0) >= 1,
              "ClassTree::from_tensor: expected an int64 [C - 1, 2] table of children, got ",
              dtype_name(children.dtype()), " ", children.shape());
  const int64_t nodes = children.size(0), classes = nodes + 1;
  const std::vector<int64_t> values = children.contiguous().to_vector<int64_t>();
  ClassTree tree;
  tree.children.resize(static_cast<size_t>(nodes));
  // Each node but the root and each class must be some node's child exactly once, and every
  // child of node k must be made after it is reached: then the table is one tree.
  std::vector<int> node_seen(static_cast<size_t>(nodes), 0), class_seen(static_cast<size_t>(classes), 0);
  for (int64_t k = 0; k < nodes; ++k)
    for (size_t side = 0; side < 2; ++side) {
      const int64_t child = values[static_cast<size_t>(k) * 2 + side];
      NABLA_CHECK(child >= -classes && child < nodes && child != 0,
                  "ClassTree::from_tensor: node ", k, " has child ", child, "; children are nodes 1..",
                  nodes - 1, " or classes written -1 - c for c in 0..", classes - 1);
      ++(child < 0 ? class_seen[static_cast<size_t>(-1 - child)] : node_seen[static_cast<size_t>(child)]);
      tree.children[static_cast<size_t>(k)][side] = child;
    }
  for (int64_t k = 1; k < nodes; ++k)
    NABLA_CHECK(node_seen[static_cast<size_t>(k)] == 1, "ClassTree::from_tensor: node ", k, " is the child of ",
                node_seen[static_cast<size_t>(k)], " nodes; each non-root node has one parent");
  for (int64_t c = 0; c < classes; ++c)
    NABLA_CHECK(class_seen[static_cast<size_t>(c)] == 1, "ClassTree::from_tensor: class ", c,
                " is a leaf ", class_seen[static_cast<size_t>(c)], " times; each class is one leaf");
  // One parent each and C leaves can still hide a cycle apart from the root: count the classes
  // reached from it.
  int64_t reached = 0;
  walk(tree, [&](int64_t, const auto&) { ++reached; });
  NABLA_CHECK(reached == classes, "ClassTree::from_tensor: only ", reached, " of ", classes,
              " classes are reached from the root; the table holds a cycle");
  return tree;
}

Tensor ClassTree::to_tensor() const {
  std::vector<int64_t> values;
  values.reserve(children.size() * 2);
  for (const auto& pair : children) values.insert(values.end(), pair.begin(), pair.end());
  return from_vector(values, {static_cast<int64_t>(children.size()), 2});
}

std::vector<int64_t> ClassTree::depths() const {
  std::vector<int64_t> depth(static_cast<size_t>(num_classes()), 0);
  walk(*this, [&](int64_t c, const auto& path) { depth[static_cast<size_t>(c)] = static_cast<int64_t>(path.size()); });
  return depth;
}

ClassPaths ClassTree::paths() const {
  const int64_t classes = num_classes();
  int64_t depth = 0;
  for (int64_t d : depths()) depth = std::max(depth, d);
  const size_t cells = static_cast<size_t>(classes * depth);
  const int64_t internal = classes - 1;
  std::vector<int64_t> nodes(cells, 0), edges(cells, 2 * internal);
  std::vector<float> go_left(cells, 0.0f), on_path(cells, 0.0f);
  walk(*this, [&](int64_t c, const auto& path) {
    for (size_t l = 0; l < path.size(); ++l) {
      const size_t cell = static_cast<size_t>(c * depth) + l;
      const auto [node, left] = path[l];
      nodes[cell] = node;
      go_left[cell] = left ? 1.0f : 0.0f;
      on_path[cell] = 1.0f;
      edges[cell] = left ? node : internal + node;
    }
  });
  return {from_vector(nodes, {classes, depth}), from_vector(go_left, {classes, depth}),
          from_vector(on_path, {classes, depth}), from_vector(edges, {classes, depth}), depth};
}

}  // namespace nabla::nn
