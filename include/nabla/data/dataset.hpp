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

// What the targets are, and so what the model's outputs mean: the loss, the metrics and the
// report follow it.
enum class Task {
  classification,  // targets [N] int64 class indices; outputs are logits of the classes
  regression,      // targets [N, T] float32 values; outputs are the T predicted values
  multilabel,      // targets [N, L] float32 0/1; outputs are one logit per label
};
const char* task_name(Task task);  // "classification", "regression", "multilabel"
// "classification" | "regression" | "multilabel"; anything else is an Error naming the choices.
Task parse_task(const std::string& name);

// Inputs [N, ...] float32 and targets as `task` says. num_classes is the model's output width:
// the classes, the regression targets or the labels; class_names names them (or is empty).
struct Dataset {
  Tensor inputs;
  Tensor targets;
  int64_t num_classes = 0;
  std::vector<std::string> class_names;  // empty, or num_classes names
  Task task = Task::classification;

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
// A regression or multi-label dataset: targets [N, T] (or [N] for one regression target) of
// finite numbers, for multilabel each 0 or 1; num_classes becomes T. `names` is empty or T names.
Dataset make_target_dataset(Tensor inputs, Tensor targets, Task task,
                            std::vector<std::string> names = {},
                            const std::string& what = "dataset");

// A seeded permutation of the rows, then the first (1 - fraction) for the first part and the
// rest for the second: (training, validation) = split_off(train, 0.1, seed). fraction lies in
// [0, 1]; the second part has round(fraction * N) rows. Both parts keep the permuted order, and
// the permutation depends only on (N, seed), from a stream no DataLoader epoch uses.
std::pair<Dataset, Dataset> split_off(const Dataset& data, double fraction, uint64_t seed);

// The rows whose class is one of `classes`, relabelled to its position in that list (the class
// names follow), at most `limit` of them in their original order (0: all). For transfer
// experiments: select_classes(train, {5, 6, 7, 8, 9}, 1000) is a 5-class task of 1,000 images.
// Each class must lie in [0, num_classes) and appear once. Classification datasets only.
Dataset select_classes(const Dataset& data, const std::vector<int64_t>& classes, int64_t limit = 0);

// A bootstrap resample (bagging): N rows drawn uniformly with replacement from the N rows of
// `data`, in draw order, from a seeded stream of its own (the splits' and the loader's streams
// are not touched). About 63.2% of the rows appear at least once.
Dataset bootstrap(const Dataset& data, uint64_t seed);

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
// CSV (RFC 4180, parsed by libcsv: quoted fields may hold delimiters, quotes written "" and
// line breaks): one sample per record, feature columns of numbers, and the target column(s).
// Columns are named by the header or given as 0-based indices in text ("-1": the last).
// Targets by task: classification reads one column of class indices 0, 1, ... or of names
// ("setosa"), which become classes in sorted order (class_names); regression reads numbers
// (several columns: several targets); multilabel reads 0/1 columns, one per label. Blank lines
// are skipped, a UTF-8 BOM is ignored. A ragged record, an empty, NaN or non-numeric feature or a
// bad target is an Error naming file, line and column, or with skip_bad_rows a skipped record
// (counted in skipped_rows).
struct CsvOptions {
  bool header = true;
  std::string label_column = "-1";
  std::vector<std::string> label_columns{};    // several target columns; replaces label_column
  std::vector<std::string> feature_columns{};  // empty: every column that is not a target
  char delimiter = ',';
  Task task = Task::classification;
  bool skip_bad_rows = false;
};
Dataset read_csv(const std::string& path, const CsvOptions& options = {},
                 int64_t* skipped_rows = nullptr);
// The features of a CSV for prediction: columns chosen as read_csv does, but target columns the
// file lacks are left out (a header without them, or an index when the file has only the
// features); there must be `expected_features` feature columns. No row is skipped.
struct CsvFeatures {
  Tensor inputs;             // [N, expected_features] float32
  std::vector<size_t> lines;  // the line each row began on
};
CsvFeatures read_csv_features(const std::string& path, const CsvOptions& options,
                              int64_t expected_features);
// The notes' ConvNetJS demo: `classes` interleaved spiral arms in 2-D, `points_per_class` each,
// Gaussian noise of standard deviation `noise`; needs no files. Inputs [N, 2].
Dataset two_spirals(int64_t points_per_class = 500, int64_t classes = 2, double noise = 0.1,
                    uint64_t seed = 0);

// Friedman's first regression problem (scikit-learn's make_friedman1): inputs [N, features]
// uniform in [0, 1], target y = 10 sin(π x0 x1) + 20 (x2 - 0.5)² + 10 x3 + 5 x4 + noise · N(0, 1)
// [N, 1] (the other features are noise to ignore). Needs no files.
Dataset friedman1(int64_t samples = 2000, int64_t features = 10, double noise = 1.0,
                  uint64_t seed = 0);
// A multi-label set made from a classification set of images [N, C, H, W]: `count` samples of
// two seeded random images side by side [C, H, 2W], targets [count, classes] with a 1 for each
// of the two images' classes (class names kept).
Dataset image_pairs(const Dataset& images, int64_t count, uint64_t seed);

}  // namespace nabla::data

#pragma GCC visibility pop
