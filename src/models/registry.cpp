#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "nabla/models/models.hpp"

namespace nabla::models {

namespace {

const std::map<std::string, std::function<ModulePtr(const ModelOptions&)>>& registry() {
  static const std::map<std::string, std::function<ModulePtr(const ModelOptions&)>> models = {
      {"mlp", mlp},           {"lenet5", lenet5},       {"lenet5_classic", lenet5_classic},
      {"cnn_bn", cnn_bn},     {"alexnet", alexnet},     {"vgg11", vgg11},
      {"vgg16", vgg16},       {"googlenet", googlenet}, {"resnet18", resnet18},
      {"resnet34", resnet34}, {"resnet20", resnet20}};
  return models;
}

bool is_imagenet_model(const std::string& name) {
  static const std::set<std::string> imagenet = {"alexnet", "vgg11", "vgg16", "googlenet",
                                                 "resnet18", "resnet34"};
  return imagenet.count(name) > 0;
}

}  // namespace

std::vector<std::string> model_names() {
  std::vector<std::string> names;
  for (const auto& [name, make] : registry()) names.push_back(name);
  return names;
}

ModulePtr create(const std::string& name, const ModelOptions& options) {
  const auto found = registry().find(name);
  if (found == registry().end()) {
    std::ostringstream known;
    for (const std::string& n : model_names()) known << " " << n;
    NABLA_FAIL("models::create: unknown model '", name, "'; known models:", known.str());
  }
  NABLA_CHECK(options.num_classes > 0 && options.in_channels > 0, "models::create(", name,
              "): num_classes (", options.num_classes, ") and in_channels (", options.in_channels,
              ") must be positive");
  return found->second(options);
}

// ImageNet's input for the large models, CIFAR's for resnet20, Fashion-MNIST's for the rest.
Shape default_input_shape(const std::string& name) {
  if (is_imagenet_model(name)) return {3, 224, 224};
  if (name == "resnet20") return {3, 32, 32};
  return name == "mlp" ? Shape{784} : Shape{1, 28, 28};
}

int64_t default_num_classes(const std::string& name) {
  return is_imagenet_model(name) ? 1000 : 10;
}

}  // namespace nabla::models
