#include "run/schema.hpp"

#include <cmath>
#include <sstream>

#include "nabla/data/dataset.hpp"
#include "nabla/error.hpp"

namespace nabla::run {

namespace {
using K = ValueKind;

// Upper bounds that no real run reaches; they keep a typo (an extra zero or three) from turning
// into an allocation of terabytes.
constexpr double kMaxClasses = data::kMaxClasses;
constexpr double kMaxWidth = 1 << 24;
constexpr double kMaxBatch = 1 << 24;

// Defaults follow PyTorch / Keras where they have one; the training defaults are the notes'.
const std::vector<KeySpec> kSchema = {
    {"task", K::text, "\"\"",
     "classification | regression | multilabel (\"\": loss.name's task, else the dataset's: "
     "friedman1 is regression, fashion-mnist-pairs multilabel, the others classification)"},

    {"data.dataset", K::text, "\"fashion-mnist\"",
     "fashion-mnist | mnist | cifar10 | cifar100 | images | csv | npy | spirals | friedman1 | "
     "fashion-mnist-pairs"},
    {"data.dir", K::text, "\"\"",
     "directory of the IDX or CIFAR binary files, or of the class folders of images (\"\": "
     "fashion-mnist's is /usr/share/datasets/fashion-mnist; the others must be set)"},
    {"data.image_size", K::integers, "[]",
     "images: [height, width] every image is resized to ([]: the first image's size, which "
     "all must share)", between(1, 65536)},
    {"data.channels", K::integer, "0", "images: 1 (grayscale) or 3 (RGB); 0: the first image's",
     between(0, 3)},
    {"data.skip_bad_files", K::boolean, "false",
     "images: skip unreadable image files (counted on stderr) instead of stopping"},
    {"data.path", K::text, "\"\"", "csv: the file; npy: the inputs [N, ...] (.npy)"},
    {"data.labels_path", K::text, "\"\"",
     "npy: the targets (.npy): class indices [N], regression values [N] or [N, T], 0/1 labels "
     "[N, L]"},
    {"data.label_column", K::text, "\"-1\"",
     "csv: header name or index of the class column (regression: of the target)"},
    {"data.label_columns", K::texts, "[]",
     "csv: header names or indices of several target columns (regression with several targets, "
     "or the 0/1 columns of multilabel); replaces data.label_column"},
    {"data.header", K::boolean, "true", "csv: the first line names the columns"},
    {"data.feature_columns", K::texts, "[]",
     "csv: header names or indices of the feature columns ([]: every column that is no target)"},
    {"data.delimiter", K::text, "\",\"", "csv: the one character between fields (\";\", \"\\t\")"},
    {"data.skip_bad_rows", K::boolean, "false",
     "csv: skip ragged records and records with a missing, NaN or non-numeric value (counted "
     "on stderr) instead of stopping"},
    {"data.train_limit", K::integer, "0", "use only the first N training samples (0: all)", at_least(0)},
    {"data.test_limit", K::integer, "0", "use only the first N test samples (0: all)", at_least(0)},
    {"data.classes", K::integers, "[]",
     "keep only these classes, relabelled 0, 1, ... in this order ([]: all); train_limit and "
     "test_limit then count the kept samples", between(0, kMaxClasses - 1)},
    {"data.validation", K::number, "0.1",
     "fraction of the training set held out for validation (0: none)", fraction_below_one()},
    {"data.folds", K::integer, "0",
     "k-fold cross-validation: join the training and validation splits and cut them into this "
     "many folds (0: off; nabla tune sets it from tune.folds)", between(0, 1000)},
    {"data.fold", K::integer, "0", "k-fold cross-validation: the fold held out for validation, "
     "0 to data.folds - 1", between(0, 999)},
    {"data.split", K::numbers, "[0.8, 0.1, 0.1]",
     "csv / spirals: train, validation, test fractions of the one pool", between(0, 1)},
    {"data.spiral_points", K::integer, "300", "spirals: points per class", between(2, 10000000)},
    {"data.spiral_classes", K::integer, "2", "spirals: number of arms", between(2, 1000)},
    {"data.spiral_noise", K::number, "0.1", "spirals: standard deviation of the noise", at_least(0)},
    {"data.friedman_samples", K::integer, "2000", "friedman1: samples in the pool",
     between(10, 10000000)},
    {"data.friedman_features", K::integer, "10", "friedman1: features (the first five matter)",
     between(5, 4096)},
    {"data.friedman_noise", K::number, "1.0", "friedman1: standard deviation of the noise",
     at_least(0)},

    {"preprocess.steps", K::tables, "",
     "[[preprocess.steps]] kind = center | standardize | scale | pca | pca_whiten | zca_whiten, "
     "mode = per_feature | global | per_channel, components, epsilon"},

    {"augment.horizontal_flip", K::number, "0.0", "probability", between(0, 1)},
    {"augment.vertical_flip", K::number, "0.0", "probability", between(0, 1)},
    {"augment.crop_padding", K::integer, "0", "random crop after zero padding by this much", between(0, 4096)},
    {"augment.scale_min", K::number, "1.0", "random resized crop: smallest area fraction", {0, 1, true}},
    {"augment.scale_max", K::number, "1.0", "random resized crop: largest area fraction", {0, 1, true}},
    {"augment.rotation", K::number, "0.0", "degrees", between(0, 180)},
    {"augment.translate", K::number, "0.0", "fraction of width and height", between(0, 1)},
    {"augment.shear", K::number, "0.0", "degrees", {0, 90, false, true}},
    {"augment.brightness", K::number, "0.0", "factor range 1 ± b", at_least(0)},
    {"augment.contrast", K::number, "0.0", "factor range 1 ± c", at_least(0)},
    {"augment.mixup", K::number, "0.0", "mixup alpha (0: off)", at_least(0)},

    {"model.name", K::text, "\"lenet5\"", "a zoo model (nabla summary lists them), or \"layers\""},
    {"model.hidden", K::integers, "[256, 128]", "mlp: hidden layer widths", between(1, kMaxWidth)},
    {"model.dropout", K::number, "-1.0", "dropout of the model's head (< 0: its default)", between(-1, 1)},
    {"model.layers", K::tables, "",
     "[[model.layers]] type = linear | conv2d | relu | tanh | tanh_linear | sigmoid | leaky_relu | "
     "gelu | maxpool2d | avgpool2d | batchnorm1d | batchnorm2d | dropout | flatten, with "
     "out_features, out_channels, kernel_size, stride, padding, p, negative_slope, beta, "
     "learnable_beta, approximate, bias"},
    {"model.pretrained", K::text, "\"\"",
     "transfer learning: weights to start from (a run directory, a nabla checkpoint or a "
     "safetensors file with PyTorch's names)"},
    {"model.pretrained_exclude", K::texts, "[]",
     "name patterns (* wildcard) of pretrained tensors not loaded, e.g. the old head "
     "[\"fc.*\"]"},
    {"model.init", K::text, "\"default\"",
     "default (PyTorch's) | xavier_uniform | xavier_normal | kaiming_uniform | kaiming_normal | "
     "zeros"},

    {"loss.name", K::text, "\"\"",
     "cross_entropy | hierarchical_softmax (classification) | mse | l1 | huber | smooth_l1 "
     "(regression) | bce_with_logits (multilabel); \"\": the task's first"},
    {"loss.tree", K::text, "\"balanced\"",
     "hierarchical_softmax's class tree: balanced | huffman (by the training set's class counts) "
     "| clustered (halves along the principal direction of the classes' mean inputs)"},
    {"loss.label_smoothing", K::number, "0.0", "cross_entropy's label smoothing", between(0, 1)},
    {"loss.delta", K::number, "1.0", "huber: where the loss turns from quadratic to linear",
     above(0)},
    {"loss.beta", K::number, "1.0", "smooth_l1: where the loss turns from quadratic to linear",
     at_least(0)},

    {"optimizer.name", K::text, "\"sgd\"", "sgd | adam | adamw | rmsprop | adagrad | adadelta"},
    {"optimizer.lr", K::number, "0.01", "learning rate", above(0)},
    {"optimizer.momentum", K::number, "0.0", "sgd, rmsprop", at_least(0)},
    {"optimizer.nesterov", K::boolean, "false", "sgd"},
    {"optimizer.weight_decay", K::number, "0.0", "L2 penalty coupled into the gradient", at_least(0)},
    {"optimizer.betas", K::numbers, "[0.9, 0.999]", "adam, adamw", fraction_below_one()},
    {"optimizer.eps", K::number, "1e-8", "adam, adamw, rmsprop, adagrad (1e-6 for adadelta)", at_least(0)},
    {"optimizer.alpha", K::number, "0.99", "rmsprop's smoothing constant", between(0, 1)},
    {"optimizer.rho", K::number, "0.9", "adadelta", between(0, 1)},
    {"optimizer.param_groups", K::tables, "",
     "[[optimizer.param_groups]] pattern = \"features.*\", lr, weight_decay: per-layer "
     "hyperparameters (first matching pattern wins; the rest use the optimizer's)"},

    {"schedule.name", K::text, "\"none\"",
     "none | step | multistep | exponential | cosine | cosine_restarts | onecycle | plateau"},
    {"schedule.step_size", K::integer, "10", "step: epochs between decays", at_least(1)},
    {"schedule.gamma", K::number, "0.1", "step, multistep, exponential: decay factor", above(0)},
    {"schedule.milestones", K::integers, "[]", "multistep: epochs of decay", at_least(1)},
    {"schedule.t_max", K::integer, "0", "cosine: period in epochs (0: train.epochs)", at_least(0)},
    {"schedule.t_0", K::integer, "10", "cosine_restarts: first cycle in epochs", at_least(1)},
    {"schedule.t_mult", K::integer, "1", "cosine_restarts: cycle growth", at_least(1)},
    {"schedule.eta_min", K::number, "0.0", "cosine, cosine_restarts: final learning rate", at_least(0)},
    {"schedule.max_lr", K::number, "0.0", "onecycle: peak learning rate (0: 10 x optimizer.lr)", at_least(0)},
    {"schedule.factor", K::number, "0.1", "plateau: decay factor", {0, 1, true, true}},
    {"schedule.patience", K::integer, "10", "plateau: epochs without improvement", at_least(0)},

    {"regularization.l1", K::number, "0.0", "λ of the L1 penalty added to the loss", at_least(0)},
    {"regularization.l2", K::number, "0.0", "λ of the L2 penalty added to the loss", at_least(0)},
    {"regularization.max_norm", K::number, "0.0", "max-norm constraint per unit (0: off)", at_least(0)},
    {"regularization.clip_grad_norm", K::number, "0.0", "clip the gradient norm (0: off)", at_least(0)},

    {"train.epochs", K::integer, "10", "passes over the training set", between(1, 1000000)},
    {"train.batch_size", K::integer, "64", "samples per step", between(1, kMaxBatch)},
    {"train.seed", K::integer, "0", "drives initialisation, shuffling, dropout, augmentation", at_least(0)},
    {"train.threads", K::integer, "0", "compute threads (0: all cores)", between(0, 1024)},
    {"train.workers", K::integer, "1", "data loading threads (prefetch)", between(0, 64)},
    {"train.drop_last", K::boolean, "false", "drop a short final batch"},
    {"train.device", K::text, "\"cpu\"", "cpu | cuda (a build with the cuda preset and a GPU)"},
    {"train.precision", K::text, "\"f32\"",
     "f32 | bf16 | f16: mixed precision on cuda (autocast of forward and loss; f16 adds dynamic "
     "loss scaling, torch's GradScaler); the CPU computes in float32, so bf16 and f16 need "
     "train.device = \"cuda\""},
    {"train.log_every", K::integer, "50", "steps between step lines in metrics.jsonl", at_least(1)},
    {"train.checkpoint_every", K::integer, "0", "steps between checkpoints (0: epoch ends)", at_least(0)},
    {"train.eval_batch_size", K::integer, "500", "batch size of evaluation", between(1, kMaxBatch)},
    {"train.monitor", K::boolean, "true", "update ratios, histograms and dead ReLUs per epoch"},
    {"train.tensorboard", K::boolean, "false",
     "TensorBoard event files in <run>/tensorboard/: loss, accuracy, lr and update ratios per "
     "epoch and per logged step, weight histograms per epoch (tensorboard --logdir <run>)"},
    {"train.freeze", K::texts, "[]",
     "name patterns (* wildcard) of parameters kept fixed, e.g. [\"features.*\"]"},
    {"train.bootstrap", K::boolean, "false",
     "bagging: train on a bootstrap resample of the training split (as many rows, drawn with "
     "replacement, seeded by train.seed); ensemble such runs with nabla eval RUN..."},
    {"train.snapshots", K::boolean, "false",
     "cosine_restarts: save the weights at the end of each cycle (a snapshot ensemble)"},
    {"train.early_stopping.patience", K::integer, "0", "epochs without improvement (0: off)", at_least(0)},
    {"train.early_stopping.monitor", K::text, "\"val_loss\"",
     "val_loss | val_accuracy | train_loss | train_accuracy"},
    {"train.early_stopping.min_delta", K::number, "0.0", "smallest change that counts", at_least(0)},
    {"train.early_stopping.restore_best", K::boolean, "true", "reload the best weights"},

    {"eval.tta", K::text, "\"none\"",
     "nabla eval's test-time augmentation: none | flip (2 views) | five_crop (centre and corner "
     "crops of the padded image, 5) | ten_crop (those and their mirrors, 10); the views' "
     "predictions are averaged"},
    {"eval.tta_padding", K::integer, "0",
     "pixels of zero padding the crops are taken from (0: augment.crop_padding)", between(0, 4096)},
    {"tune.method", K::text, "\"random\"", "random | grid"},
    {"tune.trials", K::integer, "8",
     "random: trials of each round (round 0: the default and trials - 1 drawn)", between(1, 100000)},
    {"tune.rounds", K::integer, "1",
     "coarse-to-fine rounds; each narrows the ranges around the best trials so far", between(1, 1000)},
    {"tune.refine_top", K::integer, "3", "trials whose values span the next round's ranges", at_least(1)},
    {"tune.epochs", K::integer, "0", "epochs of a full trial (0: train.epochs)", at_least(0)},
    {"tune.halving", K::integer, "0",
     "successive halving: keep the best 1/eta of the trials at each rung (0: off; 3 usual)", between(0, 1000)},
    {"tune.min_epochs", K::integer, "1", "successive halving: epochs of the first rung", at_least(1)},
    {"tune.parallel", K::integer, "0", "trials run at once, each its own process (0: cores)", between(0, 1024)},
    {"tune.metric", K::text, "\"val_accuracy\"", "val_accuracy | val_loss"},
    {"tune.seed", K::integer, "0", "drives the sampling of trials", at_least(0)},
    {"tune.folds", K::integer, "0",
     "k-fold cross-validation: each trial trains k times, each fold of the training and "
     "validation rows held out once, and is ranked by the mean (0: one validation split)",
     between(0, 100)},
    {"tune.params", K::tables, "",
     "[[tune.params]] key = \"optimizer.lr\", scale = log | log1m | linear | int | choice, min, "
     "max, values (grid points or numeric choices), choices (text choices), points (grid)"},
};

const std::vector<KeySpec> kLayerSchema = {
    {"type", K::text, "", "layer type"},
    {"out_features", K::integer, "", "linear", between(1, kMaxWidth)},
    {"out_channels", K::integer, "", "conv2d", between(1, kMaxWidth)},
    {"kernel_size", K::integer, "", "conv2d, maxpool2d, avgpool2d", between(1, 4096)},
    {"stride", K::integer, "", "conv2d (1), pools (kernel_size)", between(1, 4096)},
    {"padding", K::integer, "", "conv2d, pools (0)", between(0, 4096)},
    {"bias", K::boolean, "", "linear, conv2d (true)"},
    {"p", K::number, "", "dropout probability (0.5)", between(0, 1)},
    {"negative_slope", K::number, "", "leaky_relu (0.01)"},
    {"beta", K::number, "", "tanh_linear: slope of the linear term, tanh(x) + beta*x (0.1)"},
    {"learnable_beta", K::boolean, "", "tanh_linear: learn beta, one per channel (false)"},
    {"approximate", K::text, "", "tanh, tanh_linear: \"none\" (exact) | \"rational\" (fast float32)"},
};

const std::vector<KeySpec> kParamGroupSchema = {
    {"pattern", K::text, "", "parameter name pattern (* wildcard)"},
    {"lr", K::number, "", "learning rate of the group", above(0)},
    {"weight_decay", K::number, "", "weight decay of the group", at_least(0)},
};

const std::vector<KeySpec> kTuneParamSchema = {
    {"key", K::text, "",
     "the config key searched: optimizer.lr, model.hidden[0], model.layers[1].out_features, "
     "model.layers[*].p (every table that sets p)"},
    {"scale", K::text, "", "log | log1m (log of 1 - x: momentum) | linear | int | choice"},
    {"min", K::number, "", "log, log1m, linear, int: lower bound"},
    {"max", K::number, "", "log, log1m, linear, int: upper bound"},
    {"values", K::numbers, "", "numeric choices, or a grid's points"},
    {"choices", K::texts, "", "text choices (e.g. optimizer names)"},
    {"points", K::integer, "", "grid: points between min and max (3)", between(1, 10000)},
};

const std::vector<KeySpec> kStepSchema = {
    {"kind", K::text, "", "center | standardize | scale | pca | pca_whiten | zca_whiten"},
    {"mode", K::text, "", "per_feature | global | per_channel"},
    {"components", K::integer, "", "pca: dimensions kept (0: all)", at_least(0)},
    {"epsilon", K::number, "", "whitening: added to the eigenvalues", at_least(0)},
};
}  // namespace

const std::vector<KeySpec>& schema() { return kSchema; }

const KeySpec* find_key(const std::string& key) {
  for (const KeySpec& spec : kSchema)
    if (key == spec.key) return &spec;
  return nullptr;
}

const std::vector<KeySpec>& table_schema(const std::string& list_key) {
  if (list_key == "model.layers") return kLayerSchema;
  if (list_key == "preprocess.steps") return kStepSchema;
  if (list_key == "optimizer.param_groups") return kParamGroupSchema;
  if (list_key == "tune.params") return kTuneParamSchema;
  NABLA_FAIL("config schema: '", list_key, "' is not a list of tables");
}

bool Range::contains(double value) const {
  if (!std::isfinite(value)) return false;
  return (low_open ? value > low : value >= low) && (high_open ? value < high : value <= high);
}

std::string Range::text() const {
  std::ostringstream out;
  out.precision(15);  // 16777216, not 1.67772e+07
  const bool bounded_below = std::isfinite(low), bounded_above = std::isfinite(high);
  if (bounded_below && bounded_above)
    out << (low_open ? "(" : "[") << low << ", " << high << (high_open ? ")" : "]");
  else if (bounded_below)
    out << (low_open ? "> " : ">= ") << low;
  else if (bounded_above)
    out << (high_open ? "< " : "<= ") << high;
  else
    out << "any finite number";
  return out.str();
}

bool is_numeric(ValueKind kind) {
  return kind == K::integer || kind == K::number || kind == K::integers || kind == K::numbers;
}

const char* kind_name(ValueKind kind) {
  switch (kind) {
    case K::boolean: return "a boolean";
    case K::integer: return "an integer";
    case K::number: return "a number";
    case K::text: return "a string";
    case K::integers: return "an array of integers";
    case K::numbers: return "an array of numbers";
    case K::texts: return "an array of strings";
    case K::tables: return "an array of tables";
  }
  return "?";
}

}  // namespace nabla::run
