// A trained run on disk, as `nabla train` leaves it and `nabla eval` / `predict` (and the
// transfer learning and ensembles built on them) read it:
//   run_dir/config.toml            the resolved config (how to rebuild the model)
//   run_dir/model.safetensors      the state dict under PyTorch's names; metadata: format,
//                                  num_classes, sample_shape (raw input), class_names
//   run_dir/preprocess.safetensors the fitted preprocessing statistics (absent without steps)
#pragma once
#pragma GCC visibility push(default)

#include <memory>
#include <string>
#include <vector>

#include "nabla/data/preprocess.hpp"
#include "nabla/nn/module.hpp"
#include "nabla/run/config.hpp"

namespace nabla::run {

struct TrainedModel {
  explicit TrainedModel(Config loaded) : config(std::move(loaded)) {}
  Config config;
  std::shared_ptr<nn::Module> model;
  data::Preprocessing preprocessing;
  int64_t num_classes = 0;
  Shape sample_shape;  // of the raw input, before preprocessing
  std::vector<std::string> class_names;
};

// Writes model.safetensors and preprocess.safetensors (each atomically).
void save_trained(const std::string& run_dir, const nn::Module& model,
                  const data::Preprocessing& preprocessing, const Shape& sample_shape,
                  int64_t num_classes, const std::vector<std::string>& class_names);

// Rebuilds the model from config.toml (with `overrides`) and loads the saved weights and
// statistics; an Error names the missing or mismatched file.
TrainedModel load_trained(const std::string& run_dir, const std::vector<std::string>& overrides = {});

}  // namespace nabla::run

#pragma GCC visibility pop
