// load_torch_weights: a state dict saved by PyTorch (safetensors.torch.save_file) in a zoo
// model or layer list that a config of defaults and overrides builds, ready for `nabla predict`.
#include <algorithm>
#include <map>
#include <sstream>

#include "nabla/io/safetensors.hpp"
#include "nabla/models/models.hpp"
#include "nabla/run/setup.hpp"
#include "nabla/run/trained.hpp"

namespace nabla::run {

namespace {

constexpr size_t kNamesShown = 8;

std::string listed(const std::vector<std::string>& names) {
  std::string text;
  for (size_t i = 0; i < std::min(names.size(), kNamesShown); ++i)
    text += (i ? ", " : "") + names[i];
  if (names.size() > kNamesShown) text += " and " + std::to_string(names.size() - kNamesShown) + " more";
  return text;
}

std::string shape_text(const Shape& shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

// The model's state-dict names checked against the file's before anything loads: every
// missing, extra and mis-shaped tensor named, with the fix.
void check_names(const nn::Module& model, const nn::NamedTensors& file_tensors,
                 const std::string& path, const std::string& model_name) {
  std::map<std::string, Shape> in_file;
  for (const auto& entry : file_tensors) in_file.emplace(entry.first, entry.second.shape());
  std::vector<std::string> missing, mismatched, extra;
  std::map<std::string, bool> wanted;
  for (const auto& [name, tensor] : model.state_dict()) {
    wanted[name] = true;
    const auto found = in_file.find(name);
    if (found == in_file.end()) missing.push_back(name);
    else if (found->second != tensor.shape())
      mismatched.push_back(name + " (file " + shape_text(found->second) + ", model " +
                           shape_text(tensor.shape()) + ")");
  }
  for (const auto& entry : file_tensors)
    if (!wanted.count(entry.first)) extra.push_back(entry.first);
  if (missing.empty() && mismatched.empty() && extra.empty()) return;
  std::string problems;
  if (!missing.empty()) problems += "; missing from the file: " + listed(missing);
  if (!extra.empty()) problems += "; in the file but not in the model: " + listed(extra);
  if (!mismatched.empty()) problems += "; shapes differ: " + listed(mismatched);
  NABLA_FAIL("predict --weights: '", path, "' does not fit the model ", model_name, problems,
             ". The file must hold the state dict of the same architecture under PyTorch's "
             "names: `nabla summary ", model_name, " --names` lists the names and shapes the "
             "model expects; pick the right --model, --input-shape or --classes, or --set "
             "model.* keys (model.hidden, model.layers) to match how the model was built");
}

// Rows of the final layer's weight in the file: the model's last parameter named *weight.
int64_t classes_in_file(const Config& config, const Shape& sample_shape,
                        const nn::NamedTensors& file_tensors, const std::string& path) {
  const auto probe = make_model(config, sample_shape, 10);
  std::string last;
  for (const auto& entry : probe->named_parameters())
    if (entry.first.ends_with("weight")) last = entry.first;
  const auto found = std::find_if(file_tensors.begin(), file_tensors.end(),
                                  [&](const auto& entry) { return entry.first == last; });
  NABLA_CHECK(found != file_tensors.end() && found->second.dim() >= 1, "predict --weights: '", path,
              "' has no tensor '", last, "', the final layer's weight of ", config.text("model.name"),
              " whose rows give the number of classes; check --model (`nabla summary ",
              config.text("model.name"), " --names` lists its names), or give --classes");
  return found->second.size(0);
}

}  // namespace

TrainedModel load_torch_weights(const TorchWeights& source) {
  std::vector<std::string> overrides = {"model.name=" + source.model};
  overrides.insert(overrides.end(), source.overrides.begin(), source.overrides.end());
  TrainedModel trained(Config::from_string("", "predict --weights", overrides));
  const Config& config = trained.config;
  const std::string name = config.text("model.name");
  trained.preprocessing = make_preprocessing(config);
  NABLA_CHECK(trained.preprocessing.steps().empty(), "predict --weights: preprocess.steps need "
              "statistics fitted on the training data, which a PyTorch state dict does not hold; "
              "drop the preprocess keys and give inputs as the model was trained on them "
              "(normalised the same way), or train the model with nabla train");
  trained.sample_shape = source.sample_shape;
  if (trained.sample_shape.empty()) {
    NABLA_CHECK(name != "layers", "predict --weights: a layer list (model.name = \"layers\") has "
                "no default input; give --input-shape (e.g. --input-shape 1,28,28)");
    trained.sample_shape = models::default_input_shape(name);
  }
  for (int64_t d : trained.sample_shape)
    NABLA_CHECK(d >= 1, "predict --weights: --input-shape ", trained.sample_shape,
                " has a dimension below 1; give the sample's shape without the batch dim");
  const io::SafetensorsContents file = io::load_safetensors(source.weights);
  trained.num_classes = source.num_classes > 0
                            ? source.num_classes
                            : classes_in_file(config, trained.sample_shape, file.tensors, source.weights);
  trained.model = make_model(config, trained.sample_shape, trained.num_classes);
  check_names(*trained.model, file.tensors, source.weights, name);
  trained.model->load_state_dict(file.tensors);
  trained.model->eval();
  trained.task = task_of(config);
  return trained;
}

}  // namespace nabla::run
