#include "nabla/run/trained.hpp"

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <sstream>

#include "core/parse_integer.hpp"
#include "nabla/data/dataset.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/ops.hpp"
#include "nabla/run/setup.hpp"
#include "run/toml_write.hpp"

namespace nabla::run {

namespace {

std::string join(const std::vector<std::string>& parts, char separator) {
  std::string text;
  for (size_t i = 0; i < parts.size(); ++i) text += (i ? std::string(1, separator) : "") + parts[i];
  return text;
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  if (text.empty()) return parts;
  std::istringstream in(text);
  for (std::string part; std::getline(in, part, separator);) parts.push_back(part);
  return parts;
}

std::string metadata(const io::Metadata& meta, const std::string& key, const std::string& file) {
  const auto found = meta.find(key);
  NABLA_CHECK(found != meta.end(), "load_trained: '", file, "' has no '", key,
              "' metadata; it was not written by nabla train (retrain, or load the weights with "
              "io::load_safetensors)");
  return found->second;
}

// Metadata `key` of the model file as an integer in [low, high].
int64_t integer_metadata(const std::string& key, const std::string& text, const std::string& file,
                         int64_t low, int64_t high) {
  const std::optional<int64_t> value = detail::parse_int64(text);
  NABLA_CHECK(value && *value >= low && *value <= high, "load_trained: '", file, "' has ",
              key, " metadata \"", text, "\", not an integer in [", low, ", ", high,
              "]; the file is damaged or was not written by nabla train (retrain the run)");
  return *value;
}

}  // namespace

InputRange InputRange::of(const Tensor& inputs) {
  if (!inputs.defined() || inputs.numel() == 0) return {};
  const Tensor values = inputs.detach().to(Device::CPU).to(DType::f64);
  return {nabla::min(values).item(), nabla::max(values).item()};
}

void save_trained(const std::string& run_dir, const nn::Module& model,
                  const data::Preprocessing& preprocessing, const Shape& sample_shape,
                  int64_t num_classes, const std::vector<std::string>& class_names,
                  const InputRange& input_range) {
  std::vector<std::string> dims;
  for (int64_t d : sample_shape) dims.push_back(std::to_string(d));
  io::Metadata metadata = {{"format", "nabla-model-1"},
                           {"num_classes", std::to_string(num_classes)},
                           {"sample_shape", join(dims, ',')},
                           {"class_names", join(class_names, '\n')}};
  if (input_range.known()) {
    metadata["input_min"] = toml_float(input_range.min);  // shortest round-trip text
    metadata["input_max"] = toml_float(input_range.max);
  }
  io::save_safetensors(run_dir + "/model.safetensors", model.state_dict(), metadata);
  const std::string pre_path = run_dir + "/preprocess.safetensors";
  if (!preprocessing.steps().empty())
    io::save_safetensors(pre_path, preprocessing.state());
  else
    std::filesystem::remove(pre_path);
}

TrainedModel load_trained(const std::string& run_dir, const std::vector<std::string>& overrides) {
  const std::string config_path = run_dir + "/config.toml";
  const std::string model_path = run_dir + "/model.safetensors";
  NABLA_CHECK(std::filesystem::exists(config_path) && std::filesystem::exists(model_path),
              "load_trained: '", run_dir, "' holds no config.toml and model.safetensors; pass the "
              "directory a finished `nabla train` wrote (its --out)");
  TrainedModel trained(Config::from_file(config_path, overrides));
  const io::SafetensorsContents weights = io::load_safetensors(model_path);
  const io::Metadata& meta = weights.metadata;
  trained.num_classes = integer_metadata("num_classes", metadata(meta, "num_classes", model_path),
                                         model_path, 1, data::kMaxClasses);
  constexpr int64_t kMaxDim = int64_t{1} << 31;
  for (const std::string& d : split(metadata(meta, "sample_shape", model_path), ','))
    trained.sample_shape.push_back(integer_metadata("sample_shape", d, model_path, 1, kMaxDim));
  NABLA_CHECK(!trained.sample_shape.empty() && trained.sample_shape.size() <= 8, "load_trained: '",
              model_path, "' has sample_shape metadata with ", trained.sample_shape.size(),
              " dims (1 to 8 expected); the file is damaged or was not written by nabla train");
  trained.class_names = split(metadata(meta, "class_names", model_path), '\n');
  if (meta.count("input_min") && meta.count("input_max")) {
    trained.input_range = {std::strtod(meta.at("input_min").c_str(), nullptr),
                           std::strtod(meta.at("input_max").c_str(), nullptr)};
    NABLA_CHECK(trained.input_range.known() && trained.input_range.min <= trained.input_range.max,
                "load_trained: '", model_path, "' has input_min / input_max metadata \"",
                meta.at("input_min"), "\" / \"", meta.at("input_max"), "\"; the file is damaged");
  }
  trained.task = task_of(trained.config);
  trained.preprocessing = make_preprocessing(trained.config);
  if (!trained.preprocessing.steps().empty())
    trained.preprocessing.load_state(io::load_safetensors(run_dir + "/preprocess.safetensors").tensors);
  trained.model = make_model(trained.config,
                             trained.preprocessing.output_sample_shape(trained.sample_shape),
                             trained.num_classes);
  trained.model->load_state_dict(weights.tensors);
  trained.model->eval();
  return trained;
}

}  // namespace nabla::run
