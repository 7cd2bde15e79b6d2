#include "nabla/run/predict.hpp"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "nabla/data/augment_ops.hpp"
#include "nabla/data/image.hpp"
#include "nabla/data/npy.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/ops.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::run {

namespace fs = std::filesystem;

namespace {

bool is_pattern(const std::string& path) { return path.find_first_of("*?[") != std::string::npos; }

// The files a path stands for, in order.
std::vector<std::string> expand(const std::string& path) {
  std::vector<std::string> files;
  if (is_pattern(path) && !fs::exists(path)) {
    glob_t matches{};
    const int result = ::glob(path.c_str(), 0, nullptr, &matches);
    for (size_t i = 0; result == 0 && i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
    ::globfree(&matches);
    NABLA_CHECK(!files.empty(), "predict: no file matches '", path, "'");
    return files;
  }
  NABLA_CHECK(fs::exists(path), "predict: '", path, "' does not exist");
  if (!fs::is_directory(path)) return {path};
  for (const auto& entry : fs::recursive_directory_iterator(path))
    if (entry.is_regular_file() && data::has_image_extension(entry.path().string()))
      files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  NABLA_CHECK(!files.empty(), "predict: folder '", path, "' holds no .png, .jpg or .jpeg file");
  return files;
}

// One image file as a sample of the model's shape [C, H, W].
Tensor image_sample(const std::string& file, const Shape& sample_shape) {
  NABLA_CHECK(sample_shape.size() == 3 && (sample_shape[0] == 1 || sample_shape[0] == 3),
              "predict: '", file, "' is an image, but the run's model takes samples of shape ",
              sample_shape, "; give it a safetensors file holding `input`");
  const Tensor image = data::to_channels(data::read_image(file), sample_shape[0]);
  return data::resize(image, sample_shape[1], sample_shape[2]);
}

// Samples [N, sample...] from a tensor file: the model's shape checked, integer pixels scaled
// to [0, 1] (U8 and other integer dtypes load as int64). `what` names the tensor in errors.
Tensor stacked_samples(const Tensor& inputs, const Shape& sample_shape, const std::string& what) {
  Shape expected = {inputs.dim() > 0 ? inputs.size(0) : 0};
  expected.insert(expected.end(), sample_shape.begin(), sample_shape.end());
  NABLA_CHECK(inputs.shape() == expected, "predict: ", what, " has shape ", inputs.shape(),
              "; the model takes samples of shape ", sample_shape, " stacked along a first dim");
  return data::float_inputs(inputs, "predict: " + what);
}

// The tensor `input` of a safetensors file.
Tensor tensor_samples(const std::string& file, const Shape& sample_shape) {
  const io::SafetensorsContents contents = io::load_safetensors(file);
  Tensor inputs;
  for (const auto& [name, tensor] : contents.tensors)
    if (name == "input") inputs = tensor;
  NABLA_CHECK(inputs.defined(), "predict: '", file, "' has no tensor named 'input'; save the "
              "samples [N, ...] under that name");
  return stacked_samples(inputs, sample_shape, "'input' in '" + file + "'");
}

// The rows of a CSV file, read with the run's own CSV settings (data.header, data.delimiter,
// its feature columns); target columns may be there or not.
void csv_samples(const TrainedModel& trained, const std::string& file, std::vector<Tensor>& parts,
                 std::vector<std::string>& names) {
  NABLA_CHECK(trained.sample_shape.size() == 1, "predict: '", file, "' is a CSV file, but the "
              "run's model takes samples of shape ", trained.sample_shape,
              "; CSV rows fit models trained on feature vectors");
  data::CsvOptions options = csv_options(trained.config, trained.task);
  options.skip_bad_rows = false;  // every row asked for gets a prediction or an error
  const data::CsvFeatures rows = data::read_csv_features(file, options, trained.sample_shape[0]);
  parts.push_back(rows.inputs);
  for (size_t line : rows.lines) names.push_back(file + ":" + std::to_string(line));
}

}  // namespace

PredictInputs load_predict_inputs(const TrainedModel& trained, const std::vector<std::string>& paths) {
  NABLA_CHECK(!paths.empty(), "predict: name at least one input (an image, a folder of images, "
              "a glob pattern or a safetensors file)");
  std::vector<Tensor> parts;
  PredictInputs batch;
  for (const std::string& path : paths)
    for (const std::string& file : expand(path)) {
      if (file.ends_with(".csv")) {
        csv_samples(trained, file, parts, batch.names);
      } else if (file.ends_with(".safetensors") || file.ends_with(".npy")) {
        parts.push_back(file.ends_with(".npy")
                            ? stacked_samples(data::read_npy(file), trained.sample_shape, "'" + file + "'")
                            : tensor_samples(file, trained.sample_shape));
        for (int64_t row = 0; row < parts.back().size(0); ++row)
          batch.names.push_back(file + "#" + std::to_string(row));
      } else {
        parts.push_back(image_sample(file, trained.sample_shape).unsqueeze(0));
        batch.names.push_back(file);
      }
    }
  batch.inputs = parts.size() == 1 ? parts[0] : cat(parts, 0);
  return batch;
}

std::string check_input_range(const TrainedModel& trained, const Tensor& inputs, bool allow) {
  const InputRange trained_on = trained.input_range;
  if (!trained_on.known() || inputs.numel() == 0) return "";
  const InputRange given = InputRange::of(inputs);
  const double span = std::max(trained_on.max - trained_on.min, 1e-12);
  const double below = (trained_on.min - given.min) / span, above = (given.max - trained_on.max) / span;
  std::ostringstream message;
  message << "the inputs span [" << given.min << ", " << given.max << "] but the run was trained "
          << "on inputs in [" << trained_on.min << ", " << trained_on.max << "]";
  if (!allow && (below > 1.0 || above > 1.0 || !std::isfinite(given.min) || !std::isfinite(given.max)))
    NABLA_FAIL("predict: ", message.str(), "; scale them as the training data was (0-255 pixels: "
               "divide by 255, or pass the image files, which predict scales itself), or pass "
               "--allow-out-of-range to predict anyway");
  if (below > 0.01 || above > 0.01)
    return message.str() + "; predictions outside that range are extrapolations";
  return "";
}

}  // namespace nabla::run
