// Hierarchical softmax: the class trees (balanced depths, Huffman's lengths against the entropy,
// the checks on a table read back), exact probabilities that sum to 1, the path loss equal to
// −log p of the target, float64 gradchecks of both functions, gradients only on the batch's
// paths, the module's state dict carrying its tree, and a Trainer fitting through the path loss.
#include <cmath>
#include <numeric>

#include "nabla/nn/hierarchical_softmax.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::all_close;
using nabla::testing::gradcheck_passes;
using nabla::testing::i64;
using nabla::testing::randn64;
using nabla::testing::throws_error_containing;
namespace F = nabla::nn::functional;
using nn::ClassTree;

namespace {

int64_t max_depth(const ClassTree& tree) {
  const auto d = tree.depths();
  return *std::max_element(d.begin(), d.end());
}

Tensor probabilities_sum(const Tensor& log_p) { return sum(exp(log_p), {1}); }

}  // namespace

TEST(ClassTree, BalancedDepthsAreCeilLog2) {
  for (int64_t c : {2, 3, 4, 5, 7, 8, 9, 16, 17, 100, 1000}) {
    SCOPED_TRACE(c);
    const ClassTree tree = ClassTree::balanced(c);
    EXPECT_EQ(tree.num_classes(), c);
    const auto depths = tree.depths();
    const auto [lo, hi] = std::minmax_element(depths.begin(), depths.end());
    EXPECT_EQ(*hi, static_cast<int64_t>(std::ceil(std::log2(static_cast<double>(c)))));
    EXPECT_GE(*lo, static_cast<int64_t>(std::floor(std::log2(static_cast<double>(c)))));
    // Read back through the checks: one tree, every class a leaf once.
    EXPECT_EQ(ClassTree::from_tensor(tree.to_tensor()).children, tree.children);
  }
  // A power of two: class c's path spells c in binary, most significant bit first.
  const nn::ClassPaths paths = ClassTree::balanced(8).paths();
  EXPECT_EQ(paths.depth, 3);
  const auto left = paths.go_left.to_vector<float>();
  for (int64_t c = 0; c < 8; ++c)
    for (int64_t bit = 0; bit < 3; ++bit)
      EXPECT_EQ(left[static_cast<size_t>(c * 3 + bit)], ((c >> (2 - bit)) & 1) ? 0.0f : 1.0f);
}

TEST(ClassTree, HuffmanGivesFrequentClassesShortPathsWithinOneBitOfTheEntropy) {
  EXPECT_EQ(ClassTree::huffman({0.125, 0.5, 0.125, 0.25}).depths(), (std::vector<int64_t>{3, 1, 3, 2}));
  manual_seed(3);
  // Zipf-like counts over 500 classes.
  std::vector<double> counts(500);
  for (size_t c = 0; c < counts.size(); ++c) counts[c] = std::floor(10000.0 / static_cast<double>(c + 1));
  const ClassTree tree = ClassTree::huffman(counts);
  const auto depths = tree.depths();
  const double total = std::accumulate(counts.begin(), counts.end(), 0.0);
  double entropy = 0, mean_depth = 0;
  for (size_t c = 0; c < counts.size(); ++c) {
    const double p = counts[c] / total;
    entropy -= p * std::log2(p);
    mean_depth += p * static_cast<double>(depths[c]);
  }
  EXPECT_GE(mean_depth, entropy);
  EXPECT_LT(mean_depth, entropy + 1);
  EXPECT_LT(mean_depth, std::log2(500.0));  // shorter than the balanced tree's ~9 on average
  EXPECT_LE(depths[0], depths[499]);
  EXPECT_EQ(ClassTree::from_tensor(tree.to_tensor()).children, tree.children);
  // Equal weights give a balanced tree.
  EXPECT_EQ(max_depth(ClassTree::huffman(std::vector<double>(64, 1.0))), 6);
  EXPECT_EQ(max_depth(ClassTree::huffman(std::vector<double>(10, 0.0))), 4);
}

TEST(ClassTree, ClusteredSplitsAlongTheClassMeansFirstPrincipalDirection) {
  // Eight classes on a line, shuffled: the root separates the four lowest from the four highest,
  // and every node below splits neighbours, whatever the class numbers.
  const std::vector<double> position = {5, 0, 7, 2, 6, 1, 4, 3};
  std::vector<double> rows;
  for (double p : position) rows.insert(rows.end(), {p, 0.5 * p, 1.0});
  const ClassTree tree = ClassTree::clustered(nabla::testing::f64(rows, {8, 3}));
  EXPECT_EQ(max_depth(tree), 3);
  const nn::ClassPaths paths = tree.paths();
  const auto left = paths.go_left.to_vector<float>();
  for (int64_t c = 0; c < 8; ++c) {
    SCOPED_TRACE(c);
    // Along the line (either direction): the root decision is position < 4 or >= 4.
    const bool low = position[static_cast<size_t>(c)] < 4;
    const bool root_left = left[static_cast<size_t>(c * 3)] == 1.0f;
    const bool low_goes_left = left[static_cast<size_t>(1 * 3)] == 1.0f;  // class 1 sits at 0
    EXPECT_EQ(root_left, low == low_goes_left);
  }
  // Siblings at the bottom are neighbours on the line: each leaf pair differs by 1.
  for (const auto& pair : tree.children) {
    if (pair[0] < 0 && pair[1] < 0) {
      EXPECT_EQ(std::abs(position[static_cast<size_t>(-1 - pair[0])] - position[static_cast<size_t>(-1 - pair[1])]), 1.0);
    }
  }
  EXPECT_TRUE(throws_error_containing([] { ClassTree::clustered(zeros({1, 3})); }, {"C >= 2"}));
  EXPECT_TRUE(throws_error_containing(
      [] { ClassTree::clustered(nabla::testing::f64({1, NAN, 2, 3}, {2, 2})); }, {"class 0", "non-finite"}));
}

TEST(ClassTree, BadTreesAndFrequenciesAreErrors) {
  EXPECT_TRUE(throws_error_containing([] { ClassTree::balanced(1); }, {"at least 2"}));
  EXPECT_TRUE(throws_error_containing([] { ClassTree::huffman({1.0, -2.0}); }, {"class 1", ">= 0"}));
  EXPECT_TRUE(throws_error_containing([] { ClassTree::huffman({1.0, NAN, 3.0}); }, {"class 1"}));
  // Class 1 twice, class 2 never.
  EXPECT_TRUE(throws_error_containing([] { ClassTree::from_tensor(i64({-1, 1, -2, -2}, {2, 2})); },
                                      {"class 1", "2 times"}));
  // Node 1's child is node 1: a cycle the root never reaches.
  EXPECT_TRUE(throws_error_containing(
      [] { ClassTree::from_tensor(i64({-1, -2, 1, -3, -4, 2}, {3, 2})); }, {"2 of 4 classes", "cycle"}));
  EXPECT_TRUE(throws_error_containing([] { ClassTree::from_tensor(i64({-1, 5}, {1, 2})); },
                                      {"child 5"}));
  EXPECT_TRUE(throws_error_containing([] { ClassTree::from_tensor(zeros({2, 2})); },
                                      {"int64 [C - 1, 2]"}));
}

TEST(HierarchicalSoftmax, ProbabilitiesAreExactAndSumToOne) {
  manual_seed(5);
  for (const ClassTree& tree : {ClassTree::balanced(7), ClassTree::huffman({5, 1, 1, 9, 2, 30, 4, 4, 1})}) {
    const int64_t c = tree.num_classes();
    const Tensor x = randn64({6, 4}, false) * 3.0, w = randn64({c - 1, 4}, false), b = randn64({c - 1}, false);
    const Tensor log_p = F::hierarchical_log_softmax(x, w, b, tree.paths());
    EXPECT_EQ(log_p.shape(), (Shape{6, c}));
    EXPECT_TRUE(all_close(probabilities_sum(log_p), ones({6}, {.dtype = DType::f64}), 0, 1e-12));
    // The path loss is −log p of the target, sample by sample.
    const Tensor target = i64({0, c - 1, 2, 3, 1, c - 2}, {6});
    const Tensor nll = F::hierarchical_softmax_nll(x, w, b, tree.paths(), target, "none");
    EXPECT_TRUE(all_close(nll, -gather(log_p, 1, unsqueeze(target, 1)).flatten(), 1e-12, 1e-12));
    EXPECT_NEAR(F::hierarchical_softmax_nll(x, w, b, tree.paths(), target).item(), mean(nll).item(), 1e-12);
    EXPECT_NEAR(F::hierarchical_softmax_nll(x, w, b, tree.paths(), target, "sum").item(), sum(nll).item(), 1e-12);
  }
}

TEST(HierarchicalSoftmax, DeepFloat32TreesAgreeWithThePathLossOfEveryClass) {
  // 10,000 classes (depths 13 and 14) and a lopsided Huffman tree, float32: every class's
  // log-probability from the top-down evaluation equals minus its path loss.
  manual_seed(10);
  std::vector<double> zipf(3000);
  for (size_t c = 0; c < zipf.size(); ++c) zipf[c] = 1.0 / static_cast<double>(c + 1);
  for (const ClassTree& tree : {ClassTree::balanced(10000), ClassTree::huffman(zipf)}) {
    const int64_t c = tree.num_classes(), rows = 3;
    const nn::ClassPaths paths = tree.paths();
    const Tensor x = randn(Shape{rows, 8}), w = randn(Shape{c - 1, 8}) * 0.5, b = randn(Shape{c - 1});
    const Tensor log_p = F::hierarchical_log_softmax(x, w, b, paths);
    std::vector<int64_t> row_of, class_of;
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t k = 0; k < c; ++k) {
        row_of.push_back(r);
        class_of.push_back(k);
      }
    const Tensor nll = F::hierarchical_softmax_nll(index_select(x, 0, from_vector(row_of)), w, b, paths,
                                                   from_vector(class_of), "none");
    EXPECT_TRUE(all_close(log_p.flatten(), -nll, 1e-4, 1e-4));
    EXPECT_TRUE(all_close(probabilities_sum(log_p), ones({rows}), 1e-4, 1e-4));
  }
}

TEST(HierarchicalSoftmax, TwoClassesAreLogisticRegression) {
  const Tensor x = nabla::testing::f64({1.0, -2.0, 0.5, 3.0}, {2, 2});
  const Tensor w = nabla::testing::f64({0.3, -0.7}, {1, 2}), b = nabla::testing::f64({0.1}, {1});
  const Tensor log_p = F::hierarchical_log_softmax(x, w, b, ClassTree::balanced(2).paths());
  const Tensor s = F::linear(x, w, b).flatten();
  EXPECT_TRUE(all_close(narrow(log_p, 1, 0, 1).flatten(), log(sigmoid(s)), 1e-12, 1e-12));
  EXPECT_TRUE(all_close(narrow(log_p, 1, 1, 1).flatten(), log(sigmoid(-s)), 1e-12, 1e-12));
}

TEST(HierarchicalSoftmax, GradcheckOfPathLossAndLogProbabilities) {
  manual_seed(6);
  for (const ClassTree& tree : {ClassTree::balanced(5), ClassTree::huffman({1, 8, 2, 2, 1, 6})}) {
    const int64_t c = tree.num_classes();
    const nn::ClassPaths paths = tree.paths();
    const Tensor x = randn64({3, 4}), w = randn64({c - 1, 4}), b = randn64({c - 1});
    const Tensor target = i64({c - 1, 0, 1}, {3});
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) { return F::hierarchical_softmax_nll(in[0], in[1], in[2], paths, target); },
        {x, w, b}));
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) { return F::hierarchical_softmax_nll(in[0], in[1], Tensor(), paths, target, "none"); },
        {x, w}));
    EXPECT_TRUE(gradcheck_passes(
        [&](const std::vector<Tensor>& in) { return F::hierarchical_log_softmax(in[0], in[1], in[2], paths); },
        {x, w, b}));
  }
}

TEST(HierarchicalSoftmax, TrainingGradientReachesOnlyThePathsNodes) {
  manual_seed(7);
  // 8 classes: class 0's path is nodes 0, 1, 3 (numbered breadth first, as a binary heap).
  nn::HierarchicalSoftmax layer({.in_features = 3, .tree = ClassTree::balanced(8), .dtype = DType::f64});
  layer.loss(randn64({4, 3}, false), i64({0, 0, 0, 0}, {4})).backward();
  const auto grad = layer.bias.grad().to_vector<double>();
  for (size_t node = 0; node < grad.size(); ++node) {
    SCOPED_TRACE(node);
    if (node == 0 || node == 1 || node == 3) EXPECT_NE(grad[node], 0.0);
    else EXPECT_EQ(grad[node], 0.0);
  }
}

TEST(HierarchicalSoftmax, ModuleStateDictCarriesTheTree) {
  manual_seed(8);
  const ClassTree huffman = ClassTree::huffman({10, 1, 1, 1, 5});
  nn::HierarchicalSoftmax trained({.in_features = 3, .tree = huffman});
  nn::HierarchicalSoftmax fresh(3, 5);  // balanced until it loads the saved tree
  EXPECT_EQ(nabla::testing::module_repr(fresh), "HierarchicalSoftmax(in_features=3, num_classes=5, bias=True)");
  const auto state = trained.state_dict();
  std::vector<std::string> names;
  for (const auto& [name, t] : state) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"weight", "bias", "tree"}));
  EXPECT_NE(fresh.class_tree().children, huffman.children);
  fresh.load_state_dict(state);
  EXPECT_EQ(fresh.class_tree().children, huffman.children);
  const Tensor x = randn(Shape{4, 3});
  EXPECT_TRUE(all_close(fresh(x), trained(x), 0, 0));
  EXPECT_TRUE(throws_error_containing([&] { fresh(randn(Shape{4, 2})); }, {"in_features = 3"}));
  EXPECT_TRUE(throws_error_containing([&] { fresh.loss(x, i64({0, 1, 5, 2}, {4})); }, {"target 2 is class 5", "0..4"}));
  EXPECT_TRUE(throws_error_containing([&] { fresh.loss(x, zeros({4})); }, {"int64 class indices"}));
}

TEST(HierarchicalSoftmax, TrainerFitsThroughThePathLoss) {
  manual_seed(9);
  // 16 classes, each a Gaussian blob around its own centre in 8 dims.
  const int64_t classes = 16, per_class = 40;
  const Tensor centres = randn(Shape{classes, 8}) * 3.0;
  std::vector<int64_t> labels;
  for (int64_t c = 0; c < classes; ++c) labels.insert(labels.end(), per_class, c);
  const Tensor targets = from_vector(labels);
  data::Dataset blobs;
  blobs.inputs = index_select(centres, 0, targets) + randn(Shape{classes * per_class, 8});
  blobs.targets = targets;
  blobs.num_classes = classes;
  auto model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(8, 32), std::make_shared<nn::ReLU>(),
      std::make_shared<nn::HierarchicalSoftmax>(32, classes)});
  train::TrainerOptions options;
  options.epochs = 15;
  options.progress = false;
  options.monitor = false;
  train::Trainer trainer(model, std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01}),
                         train::cross_entropy_loss(), options);
  data::DataLoader loader(blobs, {.batch_size = 32, .shuffle = true});
  const train::History history = trainer.fit(loader);
  EXPECT_LT(history.epochs.back().train_loss, 0.3 * history.epochs.front().train_loss);
  EXPECT_TRUE(std::isnan(history.epochs.back().train_accuracy));  // no logits in training
  const train::Evaluation evaluation = trainer.evaluate(blobs);
  EXPECT_GT(evaluation.accuracy, 0.9);
  EXPECT_NEAR(evaluation.loss, history.epochs.back().train_loss, 0.5);
}
