// New inputs for a trained run, in the form its model was trained on: what `nabla predict`
// reads. Image files (PNG, JPEG) are decoded to [0, 1], converted to the run's channels
// (grayscale / RGB) and resized to its sample size, exactly as the image data sets nabla trains
// on are scaled; safetensors files give their tensor `input` [N, ...] (integer tensors are 8-bit
// pixels, scaled to [0, 1] the same way); CSV files give their rows, read with the run's own CSV
// settings (the feature columns by header name or position; target columns may be absent). The
// run's preprocessing (standardisation, PCA, ...) is not
// applied here: the model's input transform applies it, as in evaluation.
//
//   run::TrainedModel trained = run::load_trained("runs/lenet");
//   run::PredictInputs batch = run::load_predict_inputs(trained, {"shoes/", "bag.png"});
#pragma once
#pragma GCC visibility push(default)

#include <string>
#include <vector>

#include "nabla/run/trained.hpp"

namespace nabla::run {

struct PredictInputs {
  Tensor inputs;                    // [N, sample_shape...] float32, before preprocessing
  std::vector<std::string> names;   // one per row: the file, "file#row" for tensor files, "file:line" for CSV
};

// Reads every path: an image file, a safetensors file, a CSV file, a folder (its image files, recursively,
// in name order) or a glob pattern ("photos/*.jpg", quoted so the shell leaves it). An Error
// names the file and what is wrong; nothing is skipped silently.
PredictInputs load_predict_inputs(const TrainedModel& trained, const std::vector<std::string>& paths);

// Compares the inputs' range with the training inputs' (when the run recorded it). Far outside
// (beyond one training range's width past either end: raw 0-255 pixels for a model trained on
// [0, 1]) is an Error saying how to scale them, unless `allow`; a little outside returns a
// warning to print; inside returns "".
std::string check_input_range(const TrainedModel& trained, const Tensor& inputs, bool allow);

}  // namespace nabla::run

#pragma GCC visibility pop
