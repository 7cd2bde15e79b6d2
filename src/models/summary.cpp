#include "nabla/models/summary.hpp"

#include <iomanip>
#include <map>
#include <sstream>

#include "nabla/autograd.hpp"
#include "nabla/tensor.hpp"

namespace nabla::models {

namespace {

using nabla::operator<<;  // Shape is a std::vector: argument lookup would not find it

// What the summary knows of each module before the forward: its dotted name, whether it gets
// a row (a leaf, or a container with parameters of its own) and its own parameter count.
struct ModuleInfo {
  std::string name;
  bool row = false;
  int64_t own_parameters = 0;
};

// Pre-order walk: fills `info` and records every module with its train/eval mode, in an order
// in which re-applying the modes restores them (a parent's train() reaches its children first).
void walk(nn::Module& module, const std::string& prefix,
          std::map<const nn::Module*, ModuleInfo>& info,
          std::vector<std::pair<nn::Module*, bool>>& modes) {
  const auto children = module.named_children();
  int64_t own = 0;
  for (const Tensor& p : module.parameters(/*recurse=*/false)) own += p.numel();
  info[&module] = {prefix, children.empty() || own > 0, own};
  modes.emplace_back(&module, module.is_training());
  for (const auto& [name, child] : children)
    walk(*child, prefix.empty() ? name : prefix + "." + name, info, modes);
}

// 1234567 -> "1,234,567"
std::string grouped(int64_t value) {
  const std::string digits = std::to_string(value < 0 ? -value : value);
  std::string out = value < 0 ? "-" : "";
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string shape_text(const Shape& shape) {
  std::ostringstream text;
  text << shape;
  return text.str();
}

}  // namespace

ModelSummary summarize(nn::Module& model, const Shape& input_shape) {
  NABLA_CHECK(!input_shape.empty(),
              "summarize: the input shape needs a batch dim, e.g. {1, 1, 28, 28}");
  std::map<const nn::Module*, ModuleInfo> info;
  std::vector<std::pair<nn::Module*, bool>> modes;
  walk(model, "", info, modes);

  ModelSummary summary;
  summary.model = model.type_name();
  summary.input = input_shape;
  summary.parameters = model.parameter_count();
  summary.trainable_parameters = model.parameter_count(/*trainable_only=*/true);
  const int64_t batch = std::max<int64_t>(input_shape.front(), 1);

  // Every module's mode comes back as it was, also when the forward throws (a wrong shape).
  struct RestoreModes {
    const std::vector<std::pair<nn::Module*, bool>>& modes;
    ~RestoreModes() {
      for (const auto& [module, training] : modes) module->train(training);
    }
  } restore{modes};
  model.eval();
  autograd::NoGradGuard no_grad;
  nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor& in, const Tensor& out) {
    const auto found = info.find(&module);
    if (found == info.end() || !found->second.row) return;  // containers: their layers show
    LayerSummary row;
    row.name = found->second.name;
    row.type = module.type_name();
    row.output = Shape(out.shape().begin() + (out.dim() > 0 ? 1 : 0), out.shape().end());
    row.parameters = found->second.own_parameters;
    row.multiply_adds = module.multiply_adds(in.shape(), out.shape()) / batch;
    summary.multiply_adds += row.multiply_adds;
    summary.layers.push_back(std::move(row));
  });
  model(zeros(input_shape));
  return summary;
}

std::ostream& operator<<(std::ostream& out, const ModelSummary& summary) {
  size_t name_width = 5, type_width = 4, shape_width = 12;
  std::vector<std::string> shapes;
  for (const LayerSummary& row : summary.layers) {
    shapes.push_back(shape_text(row.output));
    name_width = std::max(name_width, row.name.size());
    type_width = std::max(type_width, row.type.size());
    shape_width = std::max(shape_width, shapes.back().size());
  }
  const auto line = [&](const std::string& name, const std::string& type, const std::string& shape,
                        const std::string& params, const std::string& macs) {
    out << std::left << std::setw(static_cast<int>(name_width)) << name << "  "
        << std::setw(static_cast<int>(type_width)) << type << "  "
        << std::setw(static_cast<int>(shape_width)) << shape << "  " << std::right << std::setw(13)
        << params << "  " << std::setw(15) << macs << "\n";
  };
  out << summary.model << " on input " << summary.input << "\n";
  line("layer", "type", "output shape", "parameters", "multiply-adds");
  for (size_t i = 0; i < summary.layers.size(); ++i) {
    const LayerSummary& row = summary.layers[i];
    line(row.name, row.type, shapes[i], grouped(row.parameters), grouped(row.multiply_adds));
  }
  out << "total parameters: " << grouped(summary.parameters) << " (trainable "
      << grouped(summary.trainable_parameters)
      << "); multiply-adds per sample: " << grouped(summary.multiply_adds) << "\n";
  return out;
}

}  // namespace nabla::models
