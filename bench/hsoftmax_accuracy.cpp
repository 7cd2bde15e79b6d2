// Full softmax against hierarchical softmax on one synthetic many-class problem, trained the
// same way: C classes with Zipf frequencies (p_c ∝ 1 / (c + 1), as words in text), each a
// Gaussian blob around its own centre in 32 dims; 100,000 training and 20,000 test samples; an
// MLP 32 → 128 (ReLU) → output layer, Adam 1e-3, batch 256, 5 epochs (and hierarchical softmax
// also 20, its steps being cheaper), seed 0. Trees: balanced, Huffman (training class counts),
// clustered (the training classes' mean inputs). Prints one line per run: seconds per epoch, test
// accuracy and test loss (−log p, exact for every layer). One thread. A measurement for docs/benchmarks.md, not a timing loop:
//   build/release/bench/hsoftmax_accuracy [C ...] [softmax|balanced|huffman|clustered ...]
//   (default: 1000 10000, every output layer)
#include <algorithm>
#include <chrono>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <set>
#include <sstream>
#include <string>

#include "nabla/nabla.hpp"
#include "nabla/optim/adam.hpp"

namespace {

using namespace nabla;

constexpr int64_t kDims = 32, kHidden = 128, kTrain = 100000, kTest = 20000, kEpochs = 5;
constexpr double kNoise = 1.2;

// Class indices drawn with Zipf frequencies, and points around the fixed centres.
data::Dataset draw(const Tensor& centres, const Tensor& zipf, int64_t count) {
  const int64_t classes = centres.size(0);
  // Inverse-CDF sampling of the class: the first cumulative weight above a uniform draw.
  const std::vector<double> cumulative = zipf.to_vector<double>();
  const std::vector<float> uniform = rand({count}).to_vector<float>();
  std::vector<int64_t> labels(static_cast<size_t>(count));
  for (size_t i = 0; i < labels.size(); ++i) {
    const auto it = std::upper_bound(cumulative.begin(), cumulative.end(), static_cast<double>(uniform[i]));
    labels[i] = std::min<int64_t>(classes - 1, it - cumulative.begin());
  }
  data::Dataset out;
  out.targets = from_vector(labels);
  out.inputs = index_select(centres, 0, out.targets) + randn({count, kDims}) * kNoise;
  out.num_classes = classes;
  return out;
}

// Each class's mean training input; a class without samples gets the mean of all inputs.
Tensor class_means(const data::Dataset& train) {
  const int64_t classes = train.num_classes;
  std::vector<double> sums(static_cast<size_t>(classes * kDims), 0.0), counts(static_cast<size_t>(classes), 0.0);
  const std::vector<float> x = train.inputs.to_vector<float>();
  const std::vector<int64_t> y = train.targets.to_vector<int64_t>();
  std::vector<double> overall(static_cast<size_t>(kDims), 0.0);
  for (size_t i = 0; i < y.size(); ++i) {
    counts[static_cast<size_t>(y[i])] += 1;
    for (int64_t d = 0; d < kDims; ++d) {
      sums[static_cast<size_t>(y[i] * kDims + d)] += x[i * kDims + static_cast<size_t>(d)];
      overall[static_cast<size_t>(d)] += x[i * kDims + static_cast<size_t>(d)] / static_cast<double>(y.size());
    }
  }
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t d = 0; d < kDims; ++d) {
      double& m = sums[static_cast<size_t>(c * kDims + d)];
      m = counts[static_cast<size_t>(c)] > 0 ? m / counts[static_cast<size_t>(c)] : overall[static_cast<size_t>(d)];
    }
  return from_vector(sums, {classes, kDims});
}

// `make_head` runs after the seed, so every output layer starts from the same generator state.
void fit_and_score(const std::string& name, int64_t classes, const data::Dataset& train, const data::Dataset& test,
                   const std::function<std::shared_ptr<nn::Module>()>& make_head, const std::string& tree_note,
                   int64_t epochs = kEpochs) {
  manual_seed(1);
  auto model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Linear>(kDims, kHidden), std::make_shared<nn::ReLU>(), make_head()});
  train::TrainerOptions options;
  options.epochs = epochs;
  options.progress = false;
  options.monitor = false;
  std::ostringstream quiet;
  options.out = &quiet;
  train::Trainer trainer(model, std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 1e-3}),
                         train::cross_entropy_loss(), options);
  data::DataLoader loader(train, {.batch_size = 256, .shuffle = true, .seed = 2});
  const train::History history = trainer.fit(loader);
  double seconds = 0;
  for (const auto& epoch : history.epochs) seconds += epoch.seconds;
  const auto start = std::chrono::steady_clock::now();
  const train::Evaluation evaluation = trainer.evaluate(test);
  const double eval_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("| %lld | %s%s | %lld | %.2f | %.3f | %.2f%% | %.4f | %.2f |\n", static_cast<long long>(classes),
              name.c_str(), tree_note.c_str(), static_cast<long long>(epochs), seconds / static_cast<double>(epochs),
              1e3 * seconds / static_cast<double>(epochs) / std::ceil(static_cast<double>(kTrain) / 256.0),
              100 * evaluation.accuracy, evaluation.loss, eval_seconds);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  // Numbers are class counts; words pick the output layers (softmax balanced huffman clustered).
  std::vector<int64_t> sizes;
  std::set<std::string> layers;
  for (int i = 1; i < argc; ++i) {
    if (std::isdigit(static_cast<unsigned char>(argv[i][0]))) sizes.push_back(std::atoll(argv[i]));
    else layers.insert(argv[i]);
  }
  if (sizes.empty()) sizes = {1000, 10000};
  if (layers.empty()) layers = {"softmax", "balanced", "huffman", "clustered"};
  nabla::set_num_threads(1);  // one core: the timings do not depend on a second one being free
  std::printf("| classes | output layer | epochs | s / epoch | ms / step | test accuracy | test loss | eval s (20k) |\n");
  std::printf("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n");
  for (int64_t classes : sizes) {
    manual_seed(0);
    const Tensor centres = randn({classes, kDims});
    std::vector<double> weights(static_cast<size_t>(classes));
    double total = 0;
    for (int64_t c = 0; c < classes; ++c) total += weights[static_cast<size_t>(c)] = 1.0 / static_cast<double>(c + 1);
    std::vector<double> cumulative(weights.size());
    double running = 0;
    for (size_t c = 0; c < weights.size(); ++c) cumulative[c] = (running += weights[c]) / total;
    const Tensor zipf = from_vector(cumulative);
    const data::Dataset train = draw(centres, zipf, kTrain);
    const data::Dataset test = draw(centres, zipf, kTest);
    std::vector<double> counts(static_cast<size_t>(classes), 0.0);
    for (int64_t c : train.targets.to_vector<int64_t>()) counts[static_cast<size_t>(c)] += 1;
    if (layers.contains("softmax"))
      fit_and_score("softmax (Linear + cross-entropy)", classes, train, test,
                    [classes] { return std::make_shared<nn::Linear>(kHidden, classes); }, "");
    const nn::ClassTree balanced = nn::ClassTree::balanced(classes);
    const nn::ClassTree huffman = nn::ClassTree::huffman(counts);
    const nn::ClassTree clustered = nn::ClassTree::clustered(class_means(train));
    for (const auto& [label, tree] : {std::pair{"balanced", balanced}, std::pair{"huffman", huffman},
                                      std::pair{"clustered", clustered}}) {
      if (!layers.contains(label)) continue;
      double mean_depth = 0;
      const auto depths = tree.depths();
      for (size_t c = 0; c < depths.size(); ++c) mean_depth += counts[c] / kTrain * static_cast<double>(depths[c]);
      char note[96];
      std::snprintf(note, sizeof note, " (%s tree, mean path %.1f)", label, mean_depth);
      const nn::HierarchicalSoftmaxOptions options{.in_features = kHidden, .tree = tree};
      const auto head = [&options]() -> std::shared_ptr<nn::Module> {
        return std::make_shared<nn::HierarchicalSoftmax>(options);
      };
      fit_and_score("hierarchical softmax", classes, train, test, head, note);
      // Its steps are cheaper: the same wall time buys more epochs.
      fit_and_score("hierarchical softmax", classes, train, test, head, note, 4 * kEpochs);
    }
  }
  return 0;
}
