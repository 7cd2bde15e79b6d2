// The model section: a zoo model by name, or a list of layers whose input sizes are inferred by
// running a probe batch through the layers built so far (as Keras infers them).
#include "nabla/autograd.hpp"
#include "nabla/models/models.hpp"
#include "nabla/nn/activation.hpp"
#include "nabla/nn/container.hpp"
#include "nabla/nn/conv.hpp"
#include "nabla/nn/dropout.hpp"
#include "nabla/nn/init.hpp"
#include "nabla/nn/hierarchical_softmax.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/nn/norm.hpp"
#include "nabla/nn/pool.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::run {

namespace {

using ModulePtr = std::shared_ptr<nn::Module>;

const std::vector<std::string> kLayerTypes = {
    "linear", "conv2d", "relu", "tanh", "tanh_linear", "sigmoid", "leaky_relu", "gelu",
    "maxpool2d", "avgpool2d", "batchnorm1d", "batchnorm2d", "dropout", "flatten"};

void need_rank(const ConfigTable& layer, const std::string& type, const Shape& shape, int64_t rank,
               const std::string& fix) {
  NABLA_CHECK(static_cast<int64_t>(shape.size()) == rank, "config: layer '", type, "' (",
              layer.where, ") needs ", rank, "-D input, the layers before give ", shape, "; ", fix);
}

int64_t positive(const ConfigTable& layer, const std::string& key, int64_t fallback) {
  const int64_t value = layer.integer(key, fallback);
  NABLA_CHECK(value >= 1, "config: ", key, " must be >= 1, got ", value, " (", layer.where, ")");
  return value;
}

// tanh's kernel: "none" (exact) or "rational" (the fast float32 approximation).
std::string approximate(const ConfigTable& layer, const std::string& type) {
  const std::string value = layer.text("approximate", "none");
  NABLA_CHECK(value == "none" || value == "rational", "config: layer '", type, "' (", layer.where,
              ") has approximate = \"", value, "\"; use \"none\" (exact tanh) or \"rational\" "
              "(the fast float32 ratio of polynomials)");
  return value;
}

// tanh(x) + beta*x; a learnable beta has one value per channel (dim 1 of the input).
ModulePtr tanh_linear(const ConfigTable& layer, const Shape& shape) {
  const bool learnable = layer.boolean("learnable_beta", false);
  return std::make_shared<nn::TanhLinear>(nn::TanhLinearOptions{
      .beta = layer.number("beta", 0.1),
      .learnable = learnable,
      .num_parameters = learnable && shape.size() >= 2 ? shape[1] : 1,
      .approximate = approximate(layer, "tanh_linear")});
}

// One layer for input `shape` (batch dim included); out_features defaults to the class count.
ModulePtr make_layer(const ConfigTable& layer, const Shape& shape, int64_t num_classes) {
  const std::string type = layer.text("type", "");
  if (type == "linear") {
    need_rank(layer, type, shape, 2, "put a {type = \"flatten\"} layer before it");
    return std::make_shared<nn::Linear>(shape[1], positive(layer, "out_features", num_classes),
                                        layer.boolean("bias", true));
  }
  if (type == "conv2d") {
    need_rank(layer, type, shape, 4, "conv2d takes images [N, C, H, W]");
    return std::make_shared<nn::Conv2d>(nn::Conv2dOptions{
        .in_channels = shape[1],
        .out_channels = positive(layer, "out_channels", 0),
        .kernel_size = positive(layer, "kernel_size", 0),
        .stride = positive(layer, "stride", 1),
        .padding = layer.integer("padding", 0),
        .bias = layer.boolean("bias", true)});
  }
  if (type == "maxpool2d" || type == "avgpool2d") {
    need_rank(layer, type, shape, 4, "pooling takes images [N, C, H, W]");
    const int64_t kernel = positive(layer, "kernel_size", 2);
    const int64_t stride = positive(layer, "stride", kernel);
    const int64_t padding = layer.integer("padding", 0);
    if (type == "maxpool2d") return std::make_shared<nn::MaxPool2d>(kernel, stride, padding);
    return std::make_shared<nn::AvgPool2d>(kernel, stride, padding);
  }
  if (type == "batchnorm1d") {
    need_rank(layer, type, shape, 2, "batchnorm1d follows a linear layer");
    return std::make_shared<nn::BatchNorm1d>(shape[1]);
  }
  if (type == "batchnorm2d") {
    need_rank(layer, type, shape, 4, "batchnorm2d follows a conv2d layer");
    return std::make_shared<nn::BatchNorm2d>(shape[1]);
  }
  if (type == "relu") return std::make_shared<nn::ReLU>();
  if (type == "tanh") return std::make_shared<nn::Tanh>(approximate(layer, type));
  if (type == "tanh_linear") return tanh_linear(layer, shape);
  if (type == "sigmoid") return std::make_shared<nn::Sigmoid>();
  if (type == "gelu") return std::make_shared<nn::GELU>();
  if (type == "leaky_relu") return std::make_shared<nn::LeakyReLU>(layer.number("negative_slope", 0.01));
  if (type == "dropout") return std::make_shared<nn::Dropout>(layer.number("p", 0.5));
  if (type == "flatten") return std::make_shared<nn::Flatten>();
  std::string list;
  for (const std::string& name : kLayerTypes) list += (list.empty() ? "" : ", ") + name;
  const std::string nearest = nearest_name(type, kLayerTypes);
  NABLA_FAIL("config: unknown layer type '", type, "' (", layer.where, "); valid: ", list,
             nearest.empty() ? "" : "; did you mean '" + nearest + "'?");
}

ModulePtr layer_list(const Config& config, const Shape& sample_shape, int64_t num_classes) {
  const std::vector<ConfigTable> layers = config.tables("model.layers");
  if (layers.empty())
    config_error(config, "model.layers", "is empty: model.name = \"layers\" needs [[model.layers]] entries");
  auto sequential = std::make_shared<nn::Sequential>();
  Shape shape = {2};
  shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
  for (const ConfigTable& layer : layers) {
    ModulePtr module = make_layer(layer, shape, num_classes);
    sequential->push_back(module);
    // The probe: eval mode (batch norm and dropout pass through), no graph.
    autograd::NoGradGuard no_grad;
    module->eval();
    shape = (*module)(zeros(shape)).shape();
    module->train();
  }
  NABLA_CHECK(shape.size() == 2 && shape[1] == num_classes, "config: the last of model.layers (",
              layers.back().where, ") gives output ", shape, " for a batch of 2, but the data has ",
              num_classes, " classes; end with {type = \"linear\"} (out_features defaults to the "
              "number of classes)");
  return sequential;
}

// loss.name = "hierarchical_softmax": the model's last layer, Linear(in, C), becomes a
// HierarchicalSoftmax(in) over `tree` (balanced without one); the other layers stay as made.
ModulePtr with_hierarchical_softmax(const Config& config, const ModulePtr& model, int64_t num_classes,
                                    const std::optional<nn::ClassTree>& tree) {
  const auto* layers = dynamic_cast<const nn::Sequential*>(model.get());
  const auto* last = layers && layers->size() ? dynamic_cast<const nn::Linear*>((*layers)[layers->size() - 1].get())
                                              : nullptr;
  if (last == nullptr || last->weight.size(0) != num_classes)
    config_error(config, "loss.name",
                 "\"hierarchical_softmax\" replaces the model's last layer, which must be a linear "
                 "layer to the " + std::to_string(num_classes) + " classes in a layer list; use "
                 "model.name = \"layers\" (or \"mlp\") ending in {type = \"linear\"}");
  auto replaced = std::make_shared<nn::Sequential>();
  for (size_t i = 0; i + 1 < layers->size(); ++i) replaced->push_back((*layers)[i]);
  replaced->push_back(std::make_shared<nn::HierarchicalSoftmax>(nn::HierarchicalSoftmaxOptions{
      .in_features = last->weight.size(1),
      .tree = tree ? *tree : nn::ClassTree::balanced(num_classes),
      .bias = last->bias.defined(),
      .dtype = last->weight.dtype()}));
  return replaced;
}

void initialise(const Config& config, nn::Module& model) {
  const std::string scheme =
      choice(config, "model.init", {"default", "xavier_uniform", "xavier_normal", "kaiming_uniform",
                                    "kaiming_normal", "zeros"});
  if (scheme == "default") return;
  autograd::NoGradGuard no_grad;
  for (const auto& [name, param] : model.named_parameters()) {
    if (scheme == "zeros" || param.dim() < 2) {
      // Biases start at zero under every explicit scheme; "zeros" is the notes' broken example.
      if (name.ends_with("bias") || scheme == "zeros") nn::init::zeros_(param);
      continue;
    }
    if (scheme == "xavier_uniform") nn::init::xavier_uniform_(param);
    if (scheme == "xavier_normal") nn::init::xavier_normal_(param);
    if (scheme == "kaiming_uniform") nn::init::kaiming_uniform_(param, 0.0, nn::init::FanMode::fan_in, "relu");
    if (scheme == "kaiming_normal") nn::init::kaiming_normal_(param, 0.0, nn::init::FanMode::fan_in, "relu");
  }
}

}  // namespace

std::vector<int64_t> class_counts(const data::Dataset& dataset) {
  NABLA_CHECK(dataset.task == data::Task::classification && dataset.targets.dtype() == DType::i64,
              "class_counts: the dataset's targets are not class indices (task ",
              data::task_name(dataset.task), ")");
  std::vector<int64_t> counts(static_cast<size_t>(std::max<int64_t>(dataset.num_classes, 0)), 0);
  for (int64_t c : dataset.targets.to_vector<int64_t>())
    if (c >= 0 && c < static_cast<int64_t>(counts.size())) ++counts[static_cast<size_t>(c)];
  return counts;
}

Tensor class_means(const data::Dataset& dataset, const data::Preprocessing& preprocessing) {
  const std::vector<int64_t> counts = class_counts(dataset);
  const auto classes = static_cast<int64_t>(counts.size());
  std::vector<double> sums, overall;
  const std::vector<int64_t> targets = dataset.targets.to_vector<int64_t>();
  // A chunk of rows at a time: the preprocessed copy of a whole image set need not exist at once.
  constexpr int64_t kChunk = 4096;
  int64_t features = 0;
  for (int64_t start = 0; start < dataset.size(); start += kChunk) {
    const int64_t rows = std::min(kChunk, dataset.size() - start);
    const Tensor x = flatten(preprocessing.apply(dataset.inputs.narrow(0, start, rows)), 1);
    if (sums.empty()) {
      features = x.size(1);
      sums.assign(static_cast<size_t>(classes * features), 0.0);
      overall.assign(static_cast<size_t>(features), 0.0);
    }
    const std::vector<double> values = x.to(DType::f64).contiguous().to_vector<double>();
    for (int64_t i = 0; i < rows; ++i) {
      const int64_t c = targets[static_cast<size_t>(start + i)];
      for (int64_t d = 0; d < features; ++d) {
        const double v = values[static_cast<size_t>(i * features + d)];
        sums[static_cast<size_t>(c * features + d)] += v;
        overall[static_cast<size_t>(d)] += v;
      }
    }
  }
  for (int64_t c = 0; c < classes; ++c)
    for (int64_t d = 0; d < features; ++d) {
      double& mean = sums[static_cast<size_t>(c * features + d)];
      const double own = static_cast<double>(counts[static_cast<size_t>(c)]);
      mean = own > 0 ? mean / own : overall[static_cast<size_t>(d)] / static_cast<double>(dataset.size());
    }
  return from_vector(sums, {classes, features});
}

std::optional<nn::ClassTree> class_tree(const Config& config, const data::Dataset& train,
                                        const data::Preprocessing& preprocessing) {
  if (config.text("loss.name") != "hierarchical_softmax") return std::nullopt;
  const std::string kind = choice(config, "loss.tree", {"balanced", "huffman", "clustered"});
  if (kind == "huffman") {
    const std::vector<int64_t> counts = class_counts(train);
    return nn::ClassTree::huffman(std::vector<double>(counts.begin(), counts.end()));
  }
  if (kind == "clustered") return nn::ClassTree::clustered(class_means(train, preprocessing));
  return nn::ClassTree::balanced(train.num_classes);
}

std::shared_ptr<nn::Module> make_model(const Config& config, const Shape& sample_shape,
                                       int64_t num_classes, const std::optional<nn::ClassTree>& tree) {
  const std::string name = config.text("model.name");
  ModulePtr model;
  if (name == "layers") {
    model = layer_list(config, sample_shape, num_classes);
  } else {
    std::vector<std::string> valid = models::model_names();
    valid.push_back("layers");
    choice(config, "model.name", valid);
    int64_t features = 1;
    for (int64_t d : sample_shape) features *= d;
    model = models::create(name, {.num_classes = num_classes,
                                  .in_channels = sample_shape.size() == 3 ? sample_shape[0] : 1,
                                  .in_features = features,
                                  .hidden = config.integers("model.hidden"),
                                  .dropout = config.number("model.dropout")});
  }
  if (config.text("loss.name") == "hierarchical_softmax")
    model = with_hierarchical_softmax(config, model, num_classes, tree);
  initialise(config, *model);
  return model;
}

}  // namespace nabla::run
