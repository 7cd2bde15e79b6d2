// Datasets held in memory, the readers that fill them, and the train / validation / test splits
// the notes prescribe (80/10/10 of one pool, or validation carved from a training set).
//
//   auto train = data::load_mnist_dataset(data::kFashionMnistDir, /*train=*/true);
//   auto [rest, validation] = data::split_off(train, 0.1, /*seed=*/0);
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::data {

// More classes than any real data set has (ImageNet-21k: 21,841). A label above it is a corrupt
// file or a regression target read as a class, and would otherwise size the model's output layer.
inline constexpr int64_t kMaxClasses = int64_t{1} << 20;

// Inputs [N, ...] float32 and class targets [N] int64 in [0, num_classes).
struct Dataset {
  Tensor inputs;
  Tensor targets;
  int64_t num_classes = 0;
  std::vector<std::string> class_names;  // empty, or num_classes names

  int64_t size() const { return inputs.defined() ? inputs.size(0) : 0; }
  // Shape of one sample (inputs' shape without dim 0).
  Shape sample_shape() const;
  // Copies of the rows `indices`, in that order (class names and count kept).
  Dataset subset(const std::vector<int64_t>& indices) const;
};

// Checks the shapes and dtypes above and that every target lies in [0, num_classes); with
// num_classes = 0 it becomes max(target) + 1 (at most kMaxClasses). `what` names the source in errors.
Dataset make_dataset(Tensor inputs, Tensor targets, int64_t num_classes = 0,
                     const std::string& what = "dataset");

// A seeded permutation of the rows, then the first (1 - fraction) for the first part and the
// rest for the second: (training, validation) = split_off(train, 0.1, seed). fraction lies in
// [0, 1]; the second part has round(fraction * N) rows. Both parts keep the permuted order, and
// the permutation depends only on (N, seed), from a stream no DataLoader epoch uses.
std::pair<Dataset, Dataset> split_off(const Dataset& data, double fraction, uint64_t seed);

// The rows whose class is one of `classes`, relabelled to its position in that list (the class
// names follow), at most `limit` of them in their original order (0: all). For transfer
// experiments: select_classes(train, {5, 6, 7, 8, 9}, 1000) is a 5-class task of 1,000 images.
// Each class must lie in [0, num_classes) and appear once.
Dataset select_classes(const Dataset& data, const std::vector<int64_t>& classes, int64_t limit = 0);

struct Splits {
  Dataset train, validation, test;
};
// The notes' split of one pool: fractions must be positive and sum to 1 (within 1e-9). The cut
// points round(train * N) and round((train + validation) * N) split one seeded permutation.
Splits split_three_ways(const Dataset& data, double train, double validation, double test,
                        uint64_t seed);

// Readers. Every problem (missing file, truncated record, bad label, ragged CSV row) is an
// Error naming the file and the record or line, and for a missing default dataset the Debian
// package to install.
// MNIST / Fashion-MNIST IDX pairs (idx.hpp): images [N, 1, 28, 28] / 255, 10 classes; the
// Fashion-MNIST class names when `dir` holds Fashion-MNIST.
Dataset load_mnist_dataset(const std::string& dir, bool train, int64_t limit = 0);
// CIFAR binary batches: CIFAR-10 records are <1 label byte><3072 pixel bytes>, CIFAR-100
// records <coarse byte><fine byte><3072 bytes> (fine labels by default). Images [N, 3, 32, 32]
// / 255.
enum class CifarVariant { cifar10, cifar100_fine, cifar100_coarse };
Dataset read_cifar_binary(const std::vector<std::string>& files, CifarVariant variant,
                          int64_t limit = 0);
// Numeric CSV: one sample per line, one column holding the class (an integer), the rest float
// features [N, F]. `label_column` is a header name, or a 0-based index as text ("-1": the
// last column).
struct CsvOptions {
  bool header = true;
  std::string label_column = "-1";
  char delimiter = ',';
};
Dataset read_csv(const std::string& path, const CsvOptions& options = {});
// The notes' ConvNetJS demo: `classes` interleaved spiral arms in 2-D, `points_per_class` each,
// Gaussian noise of standard deviation `noise`; needs no files. Inputs [N, 2].
Dataset two_spirals(int64_t points_per_class = 500, int64_t classes = 2, double noise = 0.1,
                    uint64_t seed = 0);

}  // namespace nabla::data

#pragma GCC visibility pop
