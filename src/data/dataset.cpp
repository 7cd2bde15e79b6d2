// Datasets in memory: validation (make_dataset), row copies (subset), the seeded splits and the
// MNIST wrapper. Rows are copied with memcpy from contiguous storage: a subset of 60,000 images
// is one pass over memory, not 60,000 tensor ops.
#include "nabla/data/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <numeric>

#include "nabla/data/idx.hpp"
#include "nabla/error.hpp"
#include "nabla/random.hpp"

namespace nabla::data {

namespace {

// The splits' shuffle stream. Far above any epoch number, so a loader seeded like the split
// (RandomStream(seed, epoch)) never replays the split's permutation.
constexpr uint64_t kSplitStream = 0x5B1D'0000'0000'0000ull;
constexpr uint64_t kBootstrapStream = 0x5B1E'0000'0000'0000ull;

// Copies rows `indices` of the contiguous tensor `source` ([N, ...], any dtype) into a new one.
Tensor gather_rows(const Tensor& source, const std::vector<int64_t>& indices) {
  Shape shape = source.shape();
  shape[0] = static_cast<int64_t>(indices.size());
  Tensor out = empty(shape, {.dtype = source.dtype()});
  const size_t row_bytes =
      static_cast<size_t>(source.numel() / std::max<int64_t>(source.size(0), 1)) *
      dtype_size(source.dtype());
  const auto* from = static_cast<const unsigned char*>(source.data_ptr());
  auto* to = static_cast<unsigned char*>(out.data_ptr());
  for (size_t k = 0; k < indices.size(); ++k)
    std::memcpy(to + k * row_bytes, from + static_cast<size_t>(indices[k]) * row_bytes, row_bytes);
  return out;
}

std::vector<int64_t> split_permutation(int64_t n, uint64_t seed) {
  RandomStream rng(seed, kSplitStream);
  return random_permutation(n, rng);
}

std::vector<int64_t> part(const std::vector<int64_t>& order, int64_t begin, int64_t end) {
  return {order.begin() + begin, order.begin() + end};
}

bool contains_fashion(std::string path) {
  std::transform(path.begin(), path.end(), path.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return path.find("fashion") != std::string::npos;
}

}  // namespace

Shape Dataset::sample_shape() const {
  NABLA_CHECK(
      inputs.defined() && inputs.dim() >= 1,
      "Dataset::sample_shape: the dataset has no inputs [N, ...]; build it with make_dataset");
  return Shape(inputs.shape().begin() + 1, inputs.shape().end());
}

Dataset Dataset::subset(const std::vector<int64_t>& indices) const {
  NABLA_CHECK(inputs.defined() && targets.defined(),
              "Dataset::subset: the dataset has no inputs or targets; build it with make_dataset");
  const int64_t n = size();
  NABLA_CHECK(targets.dim() >= 1 && targets.size(0) == n, "Dataset::subset: targets of shape ",
              targets.shape(), " do not match inputs of shape ", inputs.shape(),
              "; build the dataset with make_dataset");
  for (size_t k = 0; k < indices.size(); ++k)
    NABLA_CHECK(indices[k] >= 0 && indices[k] < n, "Dataset::subset: index ", indices[k],
                " (position ", k, ") is outside the ", n, " rows; use indices in [0, ", n, ")");
  Dataset out;
  out.inputs = gather_rows(inputs.contiguous(), indices);
  out.targets = gather_rows(targets.contiguous(), indices);
  out.num_classes = num_classes;
  out.class_names = class_names;
  out.task = task;
  return out;
}

Dataset select_classes(const Dataset& data, const std::vector<int64_t>& classes, int64_t limit) {
  NABLA_CHECK(data.task == Task::classification, "select_classes: the dataset is a ",
              task_name(data.task), " dataset; only class labels can be selected");
  NABLA_CHECK(!classes.empty(), "select_classes: the class list is empty; name at least one class");
  NABLA_CHECK(limit >= 0, "select_classes: limit must be >= 0 (0: all), got ", limit);
  std::vector<int64_t> position(static_cast<size_t>(data.num_classes), -1);
  for (size_t k = 0; k < classes.size(); ++k) {
    const int64_t c = classes[k];
    NABLA_CHECK(c >= 0 && c < data.num_classes, "select_classes: class ", c,
                " is outside the dataset's ", data.num_classes, " classes [0, ", data.num_classes, ")");
    NABLA_CHECK(position[static_cast<size_t>(c)] < 0, "select_classes: class ", c,
                " is listed twice; list each class once");
    position[static_cast<size_t>(c)] = static_cast<int64_t>(k);
  }
  const std::vector<int64_t> targets = data.targets.to_vector<int64_t>();
  std::vector<int64_t> rows, relabelled;
  for (size_t i = 0; i < targets.size() && (limit == 0 || static_cast<int64_t>(rows.size()) < limit); ++i) {
    const int64_t p = position[static_cast<size_t>(targets[i])];
    if (p < 0) continue;
    rows.push_back(static_cast<int64_t>(i));
    relabelled.push_back(p);
  }
  Dataset out = data.subset(rows);
  out.targets = from_vector(relabelled);
  out.num_classes = static_cast<int64_t>(classes.size());
  out.class_names.clear();
  if (!data.class_names.empty())
    for (int64_t c : classes) out.class_names.push_back(data.class_names[static_cast<size_t>(c)]);
  return out;
}

Dataset make_dataset(Tensor inputs, Tensor targets, int64_t num_classes, const std::string& what) {
  NABLA_CHECK(inputs.defined() && targets.defined(), what,
              ": inputs and targets must both be defined tensors");
  NABLA_CHECK(inputs.dim() >= 1, what, ": inputs must be [N, ...], got a 0-d tensor");
  NABLA_CHECK(is_floating(inputs.dtype()), what, ": inputs hold ", inputs.dtype(),
              "; convert them with .to(DType::f32)");
  NABLA_CHECK(targets.dtype() == DType::i64, what, ": targets hold ", targets.dtype(),
              ", class indices must be int64; convert them with .to(DType::i64)");
  NABLA_CHECK(targets.dim() == 1 && targets.size(0) == inputs.size(0), what, ": targets of shape ",
              targets.shape(), " do not match inputs of shape ", inputs.shape(),
              " (expected targets [", inputs.size(0), "])");
  NABLA_CHECK(num_classes >= 0 && num_classes <= kMaxClasses, what,
              ": num_classes must be in [0, ", kMaxClasses, "] (0 infers it), got ", num_classes);
  Dataset data;
  data.inputs = inputs.detach().to(DType::f32).contiguous();
  data.targets = targets.detach().contiguous();
  const int64_t* labels = data.targets.data<int64_t>();
  int64_t largest = -1;
  for (int64_t i = 0; i < data.targets.numel(); ++i) {
    const int64_t limit = num_classes == 0 ? kMaxClasses : num_classes;
    NABLA_CHECK(labels[i] >= 0 && labels[i] < limit, what, ": target ", labels[i], " of row ", i,
                " is outside [0, ", limit, "); class indices must count from 0",
                num_classes == 0 ? " and stay below the largest number of classes nabla accepts"
                                 : "");
    largest = std::max(largest, labels[i]);
  }
  data.num_classes = num_classes > 0 ? num_classes : largest + 1;
  return data;
}

const char* task_name(Task task) {
  switch (task) {
    case Task::classification: return "classification";
    case Task::regression: return "regression";
    case Task::multilabel: return "multilabel";
  }
  return "?";
}

Task parse_task(const std::string& name) {
  for (Task task : {Task::classification, Task::regression, Task::multilabel})
    if (name == task_name(task)) return task;
  NABLA_FAIL("unknown task '", name, "'; use classification, regression or multilabel");
}

Dataset make_target_dataset(Tensor inputs, Tensor targets, Task task,
                            std::vector<std::string> names, const std::string& what) {
  NABLA_CHECK(task != Task::classification, what,
              ": class labels go through make_dataset (int64 targets [N])");
  NABLA_CHECK(inputs.defined() && targets.defined(), what,
              ": inputs and targets must both be defined tensors");
  NABLA_CHECK(inputs.dim() >= 1, what, ": inputs must be [N, ...], got a 0-d tensor");
  NABLA_CHECK(is_floating(inputs.dtype()) && is_floating(targets.dtype()), what, ": inputs (",
              inputs.dtype(), ") and ", task_name(task), " targets (", targets.dtype(),
              ") must be floating; convert them with .to(DType::f32)");
  if (targets.dim() == 1) targets = targets.reshape({targets.size(0), 1});
  NABLA_CHECK(targets.dim() == 2 && targets.size(0) == inputs.size(0) && targets.size(1) >= 1,
              what, ": targets of shape ", targets.shape(), " do not match inputs of shape ",
              inputs.shape(), " (expected targets [", inputs.size(0), ", outputs])");
  NABLA_CHECK(targets.size(1) <= kMaxClasses, what, ": ", targets.size(1),
              " targets per row is more than nabla accepts (", kMaxClasses, ")");
  NABLA_CHECK(names.empty() || static_cast<int64_t>(names.size()) == targets.size(1), what, ": ",
              names.size(), " target names for ", targets.size(1), " targets");
  Dataset data;
  data.inputs = inputs.detach().to(DType::f32).contiguous();
  data.targets = targets.detach().to(DType::f32).contiguous();
  data.num_classes = targets.size(1);
  data.class_names = std::move(names);
  data.task = task;
  const float* values = data.targets.data<float>();
  for (int64_t i = 0; i < data.targets.numel(); ++i) {
    const int64_t row = i / data.num_classes, column = i % data.num_classes;
    NABLA_CHECK(std::isfinite(values[i]), what, ": target ", column, " of row ", row, " is ",
                values[i], "; every target must be a finite number");
    NABLA_CHECK(task != Task::multilabel || values[i] == 0.0f || values[i] == 1.0f, what,
                ": label ", column, " of row ", row, " is ", values[i],
                "; multi-label targets must be 0 or 1");
  }
  return data;
}

std::pair<Dataset, Dataset> split_off(const Dataset& data, double fraction, uint64_t seed) {
  NABLA_CHECK(fraction >= 0.0 && fraction <= 1.0, "split_off: fraction must lie in [0, 1], got ",
              fraction, "; 0.1 keeps 90% for training and 10% for validation");
  const int64_t n = data.size();
  const auto second = static_cast<int64_t>(std::llround(fraction * static_cast<double>(n)));
  const std::vector<int64_t> order = split_permutation(n, seed);
  return {data.subset(part(order, 0, n - second)), data.subset(part(order, n - second, n))};
}

Dataset bootstrap(const Dataset& data, uint64_t seed) {
  const int64_t n = data.size();
  NABLA_CHECK(n > 0, "bootstrap: the dataset is empty; there is nothing to resample");
  std::vector<int64_t> rows(static_cast<size_t>(n));
  RandomStream rng(seed, kBootstrapStream);
  for (int64_t& row : rows) row = static_cast<int64_t>(rng.below(static_cast<uint64_t>(n)));
  return data.subset(rows);
}

Splits split_three_ways(const Dataset& data, double train, double validation, double test,
                        uint64_t seed) {
  NABLA_CHECK(
      train > 0 && validation > 0 && test > 0 && std::abs(train + validation + test - 1.0) <= 1e-9,
      "split_three_ways: fractions ", train, ", ", validation, ", ", test,
      " must be positive and sum to 1 (e.g. 0.8, 0.1, 0.1)");
  const int64_t n = data.size();
  // Cumulative cut points, each rounded once, so the three sizes always add up to n.
  const auto cut = [n](double fraction) {
    return std::clamp<int64_t>(std::llround(fraction * static_cast<double>(n)), 0, n);
  };
  const int64_t first = cut(train), second = std::max(first, cut(train + validation));
  const std::vector<int64_t> order = split_permutation(n, seed);
  return {data.subset(part(order, 0, first)), data.subset(part(order, first, second)),
          data.subset(part(order, second, n))};
}

Dataset load_mnist_dataset(const std::string& dir, bool train, int64_t limit) {
  ImageSet set = load_mnist_like(dir, train, limit);
  Dataset data = make_dataset(set.images, set.labels, 10, "load_mnist_dataset('" + dir + "')");
  if (contains_fashion(dir))
    data.class_names = {"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                        "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
  return data;
}

}  // namespace nabla::data
