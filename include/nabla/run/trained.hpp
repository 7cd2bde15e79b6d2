// A trained run on disk, as `nabla train` leaves it and `nabla eval` / `predict` (and the
// transfer learning and ensembles built on them) read it:
//   run_dir/config.toml            the resolved config (how to rebuild the model)
//   run_dir/model.safetensors      the state dict under PyTorch's names; metadata: format,
//                                  num_classes, sample_shape (raw input), class_names,
//                                  input_min / input_max (the training inputs' range)
//   run_dir/preprocess.safetensors the fitted preprocessing statistics (absent without steps)
#pragma once
#pragma GCC visibility push(default)

#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "nabla/data/dataset.hpp"
#include "nabla/data/preprocess.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/run/config.hpp"

namespace nabla::run {

// The smallest and largest value of the raw training inputs (NaN: not recorded, as in runs
// trained before nabla recorded it); `nabla predict` compares new inputs with it.
struct InputRange {
  double min = std::numeric_limits<double>::quiet_NaN();
  double max = std::numeric_limits<double>::quiet_NaN();
  bool known() const { return std::isfinite(min) && std::isfinite(max); }
  static InputRange of(const Tensor& inputs);
};

struct TrainedModel {
  explicit TrainedModel(Config loaded) : config(std::move(loaded)) {}
  Config config;
  std::shared_ptr<nn::Module> model;
  data::Preprocessing preprocessing;
  int64_t num_classes = 0;
  Shape sample_shape;  // of the raw input, before preprocessing
  std::vector<std::string> class_names;  // or the regression targets' / the labels' names
  InputRange input_range;
  data::Task task = data::Task::classification;  // the run config's task (task_of)
};

// Writes model.safetensors and preprocess.safetensors (each atomically).
void save_trained(const std::string& run_dir, const nn::Module& model,
                  const data::Preprocessing& preprocessing, const Shape& sample_shape,
                  int64_t num_classes, const std::vector<std::string>& class_names,
                  const InputRange& input_range = {});

// Rebuilds the model from config.toml (with `overrides`) and loads the saved weights and
// statistics; an Error names the missing or mismatched file.
TrainedModel load_trained(const std::string& run_dir, const std::vector<std::string>& overrides = {});

// A model trained elsewhere: a state dict under PyTorch's names in a safetensors file, as
// `safetensors.torch.save_file(model.state_dict(), path)` writes it.
struct TorchWeights {
  std::string weights;                  // the .safetensors file
  std::string model;                    // model.name: a zoo model, or "layers" with model.layers
  std::vector<std::string> overrides;   // config keys ("model.hidden=[64]"), as --set
  Shape sample_shape;                   // one input sample; empty: the zoo model's default
  int64_t num_classes = 0;              // 0: the rows of the final layer's weight in the file
};
// Builds the model from the config defaults with model.name = `model` and `overrides`, checks
// the file's tensor names and shapes against its state dict (an Error names every missing,
// extra or mis-shaped tensor and how to fix it) and loads them. No preprocessing (an Error if
// the overrides ask for steps, whose statistics the file lacks), no class names (classes are
// numbered), no recorded input range.
TrainedModel load_torch_weights(const TorchWeights& source);

}  // namespace nabla::run

#pragma GCC visibility pop
