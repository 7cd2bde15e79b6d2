// The data section: which dataset, how it is split, how it is preprocessed and augmented.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>
#include <tuple>

#include "nabla/data/folds.hpp"
#include "nabla/data/idx.hpp"
#include "nabla/data/image_folder.hpp"
#include "nabla/data/npy.hpp"

#include "nabla/run/setup.hpp"

namespace nabla::run {

namespace {

data::Dataset keep_classes(const Config& config, const data::Dataset& data, int64_t limit);
data::Splits load_files(const Config& config, const std::string& dataset);

data::Splits split_pool(const Config& config, data::Dataset pool) {
  if (!config.integers("data.classes").empty()) pool = keep_classes(config, pool, 0);
  const std::vector<double> split = config.numbers("data.split");
  if (split.size() != 3)
    config_error(config, "data.split", "must hold three fractions (train, validation, test)");
  return data::split_three_ways(pool, split[0], split[1], split[2],
                                static_cast<uint64_t>(config.integer("train.seed")));
}

// data.dir, or the dataset's own default directory ("" where it has none).
std::string dataset_dir(const Config& config, const std::string& dataset) {
  const std::string dir = config.text("data.dir");
  if (!dir.empty()) return dir;
  if (dataset == "fashion-mnist" || dataset == "fashion-mnist-pairs") return data::kFashionMnistDir;
  config_error(config, "data.dir", "is not set: data.dataset = \"" + dataset + "\" has no "
               "default directory; set data.dir to the folder that holds its files");
}

std::string require_dir(const Config& config, const std::string& package_hint) {
  const std::string dir = dataset_dir(config, config.text("data.dataset"));
  if (!std::filesystem::is_directory(dir))
    config_error(config, "data.dir",
                 "'" + dir + "' is not a directory" +
                     (package_hint.empty() ? "; set data.dir to the dataset's directory"
                                           : "; install it with: apt-get install " + package_hint));
  return dir;
}

data::ImageFolderOptions image_folder_options(const Config& config) {
  const std::vector<int64_t> size = config.integers("data.image_size");
  if (!size.empty() && size.size() != 2)
    config_error(config, "data.image_size", "must be [height, width] (or [] for the images' own)");
  const int64_t channels = config.integer("data.channels");
  if (channels == 2) config_error(config, "data.channels", "must be 0, 1 or 3");
  return {.height = size.empty() ? 0 : size[0], .width = size.empty() ? 0 : size[1],
          .channels = channels, .skip_bad_files = config.boolean("data.skip_bad_files"),
          .classes = {}};
}

// data.dataset = "images": <dir>/train/<class>/... and <dir>/test/<class>/... when both exist,
// else one pool <dir>/<class>/... split by data.split.
data::Dataset read_images(const std::string& dir, const data::ImageFolderOptions& options) {
  const data::ImageFolderResult result = data::read_image_folder(dir, options);
  if (result.skipped > 0)
    std::cerr << "nabla: skipped " << result.skipped << " unreadable image file(s) in " << dir
              << " (data.skip_bad_files = true)\n";
  return result.data;
}

bool has_train_and_test(const std::string& dir) {
  return std::filesystem::is_directory(dir + "/train") && std::filesystem::is_directory(dir + "/test");
}

data::Splits read_files(const Config& config, const std::string& dataset, int64_t train_limit,
                        int64_t test_limit) {
  data::Splits splits;
  if (dataset == "images") {
    const std::string dir = require_dir(config, "");
    data::ImageFolderOptions options = image_folder_options(config);
    splits.train = read_images(dir + "/train", options);
    // The test split has the training split's classes, size and channels.
    options.classes = splits.train.class_names;
    options.channels = splits.train.inputs.size(1);
    options.height = splits.train.inputs.size(2);
    options.width = splits.train.inputs.size(3);
    splits.test = read_images(dir + "/test", options);
    // Class folders are read in order: a limit keeps a seeded random subset, not the first classes.
    const auto limit = [&](const data::Dataset& all, int64_t count) {
      if (count <= 0 || count >= all.size()) return all;
      const double keep = static_cast<double>(count) / static_cast<double>(all.size());
      return data::split_off(all, 1.0 - keep, static_cast<uint64_t>(config.integer("train.seed"))).first;
    };
    splits.train = limit(splits.train, train_limit);
    splits.test = limit(splits.test, test_limit);
  } else if (dataset == "fashion-mnist" || dataset == "mnist") {
    const std::string dir = require_dir(config, dataset == "fashion-mnist" ? "dataset-fashion-mnist" : "");
    splits.train = data::load_mnist_dataset(dir, true, train_limit);
    splits.test = data::load_mnist_dataset(dir, false, test_limit);
  } else {
    const std::string dir = require_dir(config, "");
    const bool ten = dataset == "cifar10";
    std::vector<std::string> train_files;
    if (ten) {
      for (int i = 1; i <= 5; ++i) train_files.push_back(dir + "/data_batch_" + std::to_string(i) + ".bin");
    } else {
      train_files.push_back(dir + "/train.bin");
    }
    const auto variant = ten ? data::CifarVariant::cifar10 : data::CifarVariant::cifar100_fine;
    splits.train = data::read_cifar_binary(train_files, variant, train_limit);
    splits.test = data::read_cifar_binary({dir + (ten ? "/test_batch.bin" : "/test.bin")}, variant,
                                          test_limit);
  }
  return splits;
}

// data.classes as select_classes' argument, its errors named after the key.
data::Dataset keep_classes(const Config& config, const data::Dataset& data, int64_t limit) {
  try {
    return data::select_classes(data, config.integers("data.classes"), limit);
  } catch (const Error& error) {
    config_error(config, "data.classes", error.what());
  }
}

data::Dataset read_csv(const Config& config, data::Task task) {
  const data::CsvOptions options = csv_options(config, task);
  const std::string path = config.text("data.path");
  if (path.empty()) config_error(config, "data.path", "is not set: name the CSV file to read");
  int64_t skipped = 0;
  data::Dataset data = data::read_csv(path, options, &skipped);
  if (skipped > 0)
    std::cerr << "nabla: skipped " << skipped << " bad record(s) of " << path
              << " (data.skip_bad_rows = true)\n";
  return data;
}

// data.dataset = "npy": inputs and targets from two .npy files.
data::Dataset read_npy_pair(const Config& config, data::Task task) {
  const std::string inputs_path = config.text("data.path"), targets_path = config.text("data.labels_path");
  if (inputs_path.empty()) config_error(config, "data.path", "is not set: name the inputs' .npy file");
  if (targets_path.empty())
    config_error(config, "data.labels_path", "is not set: name the targets' .npy file");
  const Tensor inputs = data::float_inputs(data::read_npy(inputs_path), inputs_path);
  const Tensor targets = data::read_npy(targets_path);
  NABLA_CHECK(inputs.dim() >= 1 && targets.dim() >= 1 && inputs.size(0) == targets.size(0),
              "npy: '", inputs_path, "' holds ", inputs.shape(), " and '", targets_path,
              "' holds ", targets.shape(), "; both need the samples along their first dim");
  const std::string what = "npy ('" + inputs_path + "', '" + targets_path + "')";
  // A NaN or infinite feature would poison every batch it lands in: name its row now.
  const std::vector<float> values = inputs.contiguous().to_vector<float>();
  const auto bad = std::find_if(values.begin(), values.end(), [](float v) { return !std::isfinite(v); });
  if (bad != values.end()) {
    const int64_t per_row = inputs.numel() / std::max<int64_t>(inputs.size(0), 1);
    NABLA_FAIL("npy: '", inputs_path, "' row ", (bad - values.begin()) / per_row, " holds ", *bad,
               "; every input must be a finite number (fill or drop missing values first)");
  }
  if (task == data::Task::classification) {
    NABLA_CHECK(targets.dtype() == DType::i64 && targets.dim() == 1, what, ": class labels must "
                "be integers [N]; '", targets_path, "' holds ", targets.dtype(), " ", targets.shape(),
                " (for numeric targets set task = \"regression\")");
    return data::make_dataset(inputs, targets, 0, what);
  }
  return data::make_target_dataset(inputs, targets.to(DType::f32), task, {}, what);
}

// fashion-mnist-pairs: each split's images paired side by side, as many pairs as images.
data::Splits fashion_pairs(const Config& config) {
  const data::Splits images = load_files(config, "fashion-mnist");
  const auto seed = static_cast<uint64_t>(config.integer("train.seed"));
  const auto pairs = [&](const data::Dataset& split, uint64_t stream) {
    if (split.size() > 0) return data::image_pairs(split, split.size(), seed * 3 + stream);
    data::Dataset none;
    none.task = data::Task::multilabel;
    return none;
  };
  return {pairs(images.train, 0), pairs(images.validation, 1), pairs(images.test, 2)};
}

data::Splits load_files(const Config& config, const std::string& dataset) {
  const bool some_classes = !config.integers("data.classes").empty();
  const int64_t train_limit = config.integer("data.train_limit");
  const int64_t test_limit = config.integer("data.test_limit");
  data::Splits splits = read_files(config, dataset, some_classes ? 0 : train_limit,
                                   some_classes ? 0 : test_limit);
  if (some_classes) {
    splits.train = keep_classes(config, splits.train, train_limit);
    splits.test = keep_classes(config, splits.test, test_limit);
  }
  const double validation = config.number("data.validation");
  if (validation > 0) {
    auto [rest, held_out] = data::split_off(splits.train, validation,
                                            static_cast<uint64_t>(config.integer("train.seed")));
    splits.train = std::move(rest);
    splits.validation = std::move(held_out);
  }
  return splits;
}

}  // namespace

namespace {

data::Task loss_task(const std::string& loss) {
  if (loss == "cross_entropy" || loss == "hierarchical_softmax") return data::Task::classification;
  if (loss == "bce_with_logits") return data::Task::multilabel;
  return data::Task::regression;
}

// The dataset's own task; csv gives what the config asks for.
std::optional<data::Task> dataset_task(const std::string& dataset) {
  if (dataset == "csv" || dataset == "npy") return std::nullopt;
  if (dataset == "friedman1") return data::Task::regression;
  if (dataset == "fashion-mnist-pairs") return data::Task::multilabel;
  return data::Task::classification;
}

const std::vector<std::string> kDatasets = {"fashion-mnist", "mnist",  "cifar10",   "cifar100",
                                            "images",        "csv",    "npy",       "spirals",
                                            "friedman1",     "fashion-mnist-pairs"};

}  // namespace

data::Task task_of(const Config& config) {
  const std::string loss = config.text("loss.name");
  if (!loss.empty())
    choice(config, "loss.name", {"cross_entropy", "hierarchical_softmax", "mse", "l1", "huber",
                                 "smooth_l1", "bce_with_logits"});
  const std::optional<data::Task> of_data = dataset_task(choice(config, "data.dataset", kDatasets));
  data::Task task = data::Task::classification;
  if (!config.text("task").empty()) {
    task = data::parse_task(choice(config, "task", {"classification", "regression", "multilabel"}));
  } else if (!loss.empty()) {
    task = loss_task(loss);
  } else if (of_data) {
    task = *of_data;
  }
  if (!loss.empty() && loss_task(loss) != task)
    config_error(config, "loss.name",
                 "'" + loss + "' is a " + data::task_name(loss_task(loss)) + " loss but the task is " +
                     data::task_name(task) + "; use " +
                     (task == data::Task::classification ? "cross_entropy or hierarchical_softmax"
                      : task == data::Task::regression   ? "mse, l1, huber or smooth_l1"
                                                         : "bce_with_logits") +
                     " (or leave loss.name unset)");
  if (of_data && *of_data != task)
    config_error(config, "data.dataset",
                 "'" + config.text("data.dataset") + "' has " + data::task_name(*of_data) +
                     " targets, not " + data::task_name(task) +
                     " ones; for your own targets use data.dataset = \"csv\" with "
                     "data.label_columns");
  return task;
}

data::CsvOptions csv_options(const Config& config, data::Task task) {
  const std::string delimiter = config.text("data.delimiter");
  if (delimiter.size() != 1 || delimiter == "\"" || delimiter == "\n" || delimiter == "\r")
    config_error(config, "data.delimiter", "must be one character other than a quote or a line "
                 "break, e.g. \",\", \";\" or \"\\t\"");
  return {.header = config.boolean("data.header"),
          .label_column = config.text("data.label_column"),
          .label_columns = config.texts("data.label_columns"),
          .feature_columns = config.texts("data.feature_columns"),
          .delimiter = delimiter[0],
          .task = task,
          .skip_bad_rows = config.boolean("data.skip_bad_rows")};
}

std::string metric_choice(const Config& config, const std::string& key,
                          const std::vector<std::string>& choices) {
  const std::string metric = choice(config, key, choices);
  if (metric.find("accuracy") != std::string::npos && task_of(config) == data::Task::regression)
    config_error(config, key, "= \"" + metric + "\": a regression task has no accuracy; monitor \"" +
                                  metric.substr(0, metric.find('_')) + "_loss\"");
  return metric;
}

namespace {

data::Splits read_splits(const Config& config) {
  const data::Task task = task_of(config);
  const std::string dataset = choice(config, "data.dataset", kDatasets);
  if (dataset == "images" && !has_train_and_test(require_dir(config, "")))
    return split_pool(config, read_images(require_dir(config, ""), image_folder_options(config)));
  if (dataset == "fashion-mnist" || dataset == "mnist" || dataset == "cifar10" ||
      dataset == "cifar100" || dataset == "images")
    return load_files(config, dataset);
  if (dataset == "csv") return split_pool(config, read_csv(config, task));
  if (dataset == "npy") return split_pool(config, read_npy_pair(config, task));
  const auto seed = static_cast<uint64_t>(config.integer("train.seed"));
  if (dataset == "friedman1")
    return split_pool(config, data::friedman1(config.integer("data.friedman_samples"),
                                              config.integer("data.friedman_features"),
                                              config.number("data.friedman_noise"), seed));
  if (dataset == "fashion-mnist-pairs") return fashion_pairs(config);
  const int64_t points = config.integer("data.spiral_points");
  const int64_t classes = config.integer("data.spiral_classes");
  return split_pool(config, data::two_spirals(points, classes, config.number("data.spiral_noise"),
                                              static_cast<uint64_t>(config.integer("train.seed"))));
}

}  // namespace

data::Splits load_data(const Config& config) {
  data::Splits splits = read_splits(config);
  if (const int64_t folds = config.integer("data.folds"); folds > 0) {
    const int64_t fold = config.integer("data.fold");
    const data::Dataset pool = data::concatenate(splits.train, splits.validation);
    if (folds < 2 || folds > pool.size())
      config_error(config, "data.folds", "= " + std::to_string(folds) + ": cross-validation needs "
                   "between 2 folds and one per row (" + std::to_string(pool.size()) +
                   " training and validation rows); 5 or 10 are usual");
    if (fold >= folds)
      config_error(config, "data.fold", "= " + std::to_string(fold) + " does not exist: with " +
                   std::to_string(folds) + " folds it lies in [0, " + std::to_string(folds - 1) + "]");
    std::tie(splits.train, splits.validation) =
        data::k_fold(pool, folds, fold, static_cast<uint64_t>(config.integer("train.seed")));
  }
  if (config.boolean("train.bootstrap"))
    splits.train = data::bootstrap(splits.train, static_cast<uint64_t>(config.integer("train.seed")));
  return splits;
}

data::Preprocessing make_preprocessing(const Config& config) {
  std::vector<data::PreprocessStep> steps;
  for (const ConfigTable& table : config.tables("preprocess.steps")) {
    if (!table.has("kind"))
      NABLA_FAIL("config: a [[preprocess.steps]] entry has no kind (", table.where,
                 "); add kind = \"standardize\" (or center, scale, pca, pca_whiten, zca_whiten)");
    steps.push_back({.kind = table.text("kind", ""),
                     .mode = table.text("mode", "per_feature"),
                     .components = table.integer("components", 0),
                     .epsilon = table.number("epsilon", 1e-5)});
  }
  return data::Preprocessing(std::move(steps));
}

data::SampleTransform make_sample_transform(const Config& config) {
  const data::AugmentOptions options{
      .horizontal_flip = config.number("augment.horizontal_flip"),
      .vertical_flip = config.number("augment.vertical_flip"),
      .crop_padding = config.integer("augment.crop_padding"),
      .scale_min = config.number("augment.scale_min"),
      .scale_max = config.number("augment.scale_max"),
      .rotation = config.number("augment.rotation"),
      .translate = config.number("augment.translate"),
      .shear = config.number("augment.shear"),
      .brightness = config.number("augment.brightness"),
      .contrast = config.number("augment.contrast")};
  if (!options.any()) return {};
  return data::make_augmentation(options);
}

data::BatchTransform make_batch_transform(const Config& config, int64_t num_classes) {
  const double alpha = config.number("augment.mixup");
  if (alpha == 0) return {};
  return data::make_mixup(alpha, num_classes);
}

data::DataLoaderOptions make_loader_options(const Config& config) {
  const int64_t batch = config.integer("train.batch_size");
  const int64_t workers = config.integer("train.workers");
  return {.batch_size = batch,
          .shuffle = true,
          .drop_last = config.boolean("train.drop_last"),
          .seed = static_cast<uint64_t>(config.integer("train.seed")),
          .workers = static_cast<int>(workers)};
}

}  // namespace nabla::run
