#include "nabla/models/summary.hpp"

#include <iomanip>
#include <map>
#include <sstream>

#include "nabla/autograd.hpp"
#include "nabla/tensor.hpp"

namespace nabla::models {

namespace {

using nabla::operator<<;  // Shape is a std::vector: argument lookup would not find it

void collect_names(const nn::Module& module, const std::string& prefix,
                   std::map<const nn::Module*, std::string>& names) {
  names[&module] = prefix;
  for (const auto& [name, child] : module.named_children())
    collect_names(*child, prefix.empty() ? name : prefix + "." + name, names);
}

// Each module's own parameters, not its children's.
int64_t own_parameters(const nn::Module& module) {
  int64_t count = 0;
  for (const Tensor& p : module.parameters(/*recurse=*/false)) count += p.numel();
  return count;
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
  std::map<const nn::Module*, std::string> names;
  collect_names(model, "", names);

  ModelSummary summary;
  summary.model = model.type_name();
  summary.input = input_shape;
  summary.parameters = model.parameter_count();
  summary.trainable_parameters = model.parameter_count(/*trainable_only=*/true);
  const int64_t batch = input_shape.front();

  const bool was_training = model.is_training();
  model.eval();
  {
    autograd::NoGradGuard no_grad;
    nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor& in, const Tensor& out) {
      const int64_t own = own_parameters(module);
      if (!module.named_children().empty() && own == 0) return;  // containers: their layers show
      const auto named = names.find(&module);
      LayerSummary row;
      row.name = named == names.end() ? "?" : named->second;
      row.type = module.type_name();
      row.output = Shape(out.shape().begin() + (out.dim() > 0 ? 1 : 0), out.shape().end());
      row.parameters = own;
      row.multiply_adds =
          module.multiply_adds(in.shape(), out.shape()) / std::max<int64_t>(batch, 1);
      summary.multiply_adds += row.multiply_adds;
      summary.layers.push_back(std::move(row));
    });
    model(zeros(input_shape));
  }
  model.train(was_training);
  return summary;
}

std::ostream& operator<<(std::ostream& out, const ModelSummary& summary) {
  size_t name_width = 5, type_width = 4, shape_width = 12;
  for (const LayerSummary& row : summary.layers) {
    name_width = std::max(name_width, row.name.size());
    type_width = std::max(type_width, row.type.size());
    shape_width = std::max(shape_width, shape_text(row.output).size());
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
  for (const LayerSummary& row : summary.layers)
    line(row.name, row.type, shape_text(row.output), grouped(row.parameters),
         grouped(row.multiply_adds));
  out << "total parameters: " << grouped(summary.parameters) << " (trainable "
      << grouped(summary.trainable_parameters)
      << "); multiply-adds per sample: " << grouped(summary.multiply_adds) << "\n";
  return out;
}

}  // namespace nabla::models
