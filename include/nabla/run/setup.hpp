// From a checked Config to the objects of a run: data splits, preprocessing, augmentation,
// model, optimizer, schedule, loss and regularisers. Each function validates the values it
// reads (a learning rate must be > 0, a batch size >= 1) and throws an Error naming the key,
// where it was set and the fix; `nabla` turns those into exit code 2.
#pragma once
#pragma GCC visibility push(default)

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/data/augment.hpp"
#include "nabla/data/dataset.hpp"
#include "nabla/data/preprocess.hpp"
#include "nabla/nn/class_tree.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/optim/optimizer.hpp"
#include "nabla/optim/schedule.hpp"
#include "nabla/run/config.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::run {

// The run's task: `task` when set, else loss.name's (mse, l1, huber, smooth_l1: regression;
// bce_with_logits: multilabel), else the dataset's (friedman1: regression, fashion-mnist-pairs:
// multilabel, the rest classification). A loss of another task is an Error naming both keys.
data::Task task_of(const Config& config);

// choice() of a monitored quantity (val_loss, val_accuracy, ...): an accuracy with a regression
// task, which has none, is an Error naming the key and the loss to use instead.
std::string metric_choice(const Config& config, const std::string& key,
                          const std::vector<std::string>& choices);

// The CSV reader's options of data.* (header, delimiter, columns, skip_bad_rows) for `task`.
data::CsvOptions csv_options(const Config& config, data::Task task);

// train / validation / test as the config's data section says (validation may be empty), with
// targets of task_of(config): a dataset that cannot give them is an Error naming data.dataset.
// With train.bootstrap the training split is a bootstrap resample of itself (bagging).
data::Splits load_data(const Config& config);

data::Preprocessing make_preprocessing(const Config& config);
// Empty functions when the config asks for no augmentation / no mixup.
data::SampleTransform make_sample_transform(const Config& config);
data::BatchTransform make_batch_transform(const Config& config, int64_t num_classes);

// A zoo model (model.name) or the layer list (model.name = "layers"), sized for samples of
// `sample_shape` (after preprocessing) and `num_classes`, initialised from the global
// generator (seed it first) with model.init. With loss.name = "hierarchical_softmax" the last
// linear layer becomes an nn::HierarchicalSoftmax over `tree` (class_tree()'s); without one (a
// model about to load saved weights, which hold their tree) the tree is balanced.
std::shared_ptr<nn::Module> make_model(const Config& config, const Shape& sample_shape,
                                       int64_t num_classes,
                                       const std::optional<nn::ClassTree>& tree = std::nullopt);
// How often each class 0..num_classes − 1 occurs in a classification dataset's targets.
std::vector<int64_t> class_counts(const data::Dataset& dataset);
// Each class's mean input after `preprocessing`, flattened: [num_classes, features]; a class
// without samples gets the mean of all inputs.
Tensor class_means(const data::Dataset& dataset, const data::Preprocessing& preprocessing);

// The tree loss.tree names for a hierarchical softmax (loss.name = "hierarchical_softmax"):
// balanced, Huffman over the training split's class counts, or clustered by its classes'
// mean preprocessed inputs; nullopt for every other loss.
std::optional<nn::ClassTree> class_tree(const Config& config, const data::Dataset& train,
                                        const data::Preprocessing& preprocessing);

// What every command that builds a config's model does first, in this order: seeds the global
// generator with train.seed, loads the splits, fits the preprocessing on the training inputs
// and builds the model for the preprocessed samples. train.threads, pretrained weights and
// frozen parameters are the caller's.
struct PreparedModel {
  data::Splits splits;
  data::Preprocessing preprocessing;       // fitted
  Shape sample_shape;                      // one training sample after preprocessing
  std::optional<nn::ClassTree> class_tree;  // class_tree(): what the model was built with
  std::shared_ptr<nn::Module> model;
};
PreparedModel prepare_model(const Config& config);

// Transfer learning (src/run/transfer.cpp). Name patterns match state-dict names: `*` any run
// of characters (dots included), `?` one character; a pattern that matches nothing is an error.
bool name_matches(const std::string& pattern, const std::string& name);
struct PretrainedLoad {
  std::string source;
  int64_t loaded = 0;                 // tensors copied from the source
  std::vector<std::string> kept_new;  // excluded by model.pretrained_exclude (e.g. a new head)
  int64_t ignored = 0;                // tensors of the source the model has no use for
};
// Copies model.pretrained (a run directory, a nabla checkpoint or a safetensors file with the
// model's state-dict names) into `model`, except model.pretrained_exclude; nothing when the key
// is empty. Every other tensor must exist in the source with the model's shape.
std::optional<PretrainedLoad> load_pretrained(const Config& config, nn::Module& model);
// Turns off requires_grad of the parameters matching train.freeze; returns their names.
std::vector<std::string> freeze_parameters(const Config& config, nn::Module& model);
// The trainable parameters in groups: one per [[optimizer.param_groups]] (first matching
// pattern wins, its lr / weight_decay override the optimizer's), then the rest.
std::vector<optim::ParamGroup> parameter_groups(const Config& config, nn::Module& model);

// Over the trainable parameters (requires_grad), grouped by parameter_groups().
std::unique_ptr<optim::Optimizer> make_optimizer(const Config& config, nn::Module& model);

struct Schedule {
  std::unique_ptr<optim::LRScheduler> scheduler;        // null for "none" and "plateau"
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;    // "plateau" only
  bool per_step = false;                                // onecycle steps every batch
  double peak_lr = 0.0;  // onecycle's max_lr; 0: the optimizer's lr (TrainerOptions::reference_lr)
};
Schedule make_schedule(const Config& config, optim::Optimizer& optimizer,
                       int64_t steps_per_epoch);

// loss.name (or the task's default: cross_entropy, mse, bce_with_logits) with its options.
train::LossFn make_loss(const Config& config);
std::vector<train::Regularizer> make_regularizers(const Config& config);
// Graphviz DOT of one training step (train::step_graph_dot): the loss of `model` on the first
// train.batch_size samples of `train` after `preprocessing`. Leaves the model, its buffers and
// the global generator as they were.
std::string step_graph_dot(const Config& config, nn::Module& model, const data::Dataset& train,
                           const data::Preprocessing& preprocessing);
// train.* options for the Trainer (epochs, logging, checkpoints, precision; bf16 / f16 need
// train.device = "cuda"); run_dir is the caller's.
train::TrainerOptions make_trainer_options(const Config& config);
data::DataLoaderOptions make_loader_options(const Config& config);

}  // namespace nabla::run

#pragma GCC visibility pop
