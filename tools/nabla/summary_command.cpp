// nabla summary: the notes' layer-by-layer walkthrough (output shape, parameters, multiply-adds)
// for a zoo model or the model a config builds; --names lists its state dict instead.
#include <iomanip>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "nabla/models/models.hpp"
#include "nabla/models/summary.hpp"
#include "nabla/run/setup.hpp"

namespace nabla::cli {

namespace {

// The state dict as PyTorch's model.state_dict() lists it: parameters, then buffers, in
// registration order, with their shapes; the names model.pretrained and nabla predict match.
void print_names(const nn::Module& model) {
  const auto parameters = model.named_parameters(), buffers = model.named_buffers();
  size_t width = 4;
  for (const auto* list : {&parameters, &buffers})
    for (const auto& [name, tensor] : *list) width = std::max(width, name.size());
  const auto line = [&](const std::string& name, const std::string& shape, const std::string& kind) {
    std::cout << std::left << std::setw(static_cast<int>(width + 2)) << name << std::setw(20)
              << shape << kind << "\n";
  };
  line("name", "shape", "kind");
  for (const auto* list : {&parameters, &buffers})
    for (const auto& [name, tensor] : *list) {
      std::ostringstream shape;
      shape << tensor.shape();
      line(name, shape.str(), list == &parameters ? "parameter" : "buffer");
    }
  std::cout << std::right << parameters.size() << " parameters, " << buffers.size()
            << " buffers\n";
}

}  // namespace

int summary_command(const SummaryArgs& args) {
  std::shared_ptr<nn::Module> model;
  Shape shape(args.input_shape.begin(), args.input_shape.end());
  try {
    if (args.target.ends_with(".toml")) {
      run::PreparedModel prepared = run::prepare_model(run::Config::from_file(args.target));
      shape = prepared.sample_shape;
      model = std::move(prepared.model);
    } else {
      if (shape.empty()) shape = models::default_input_shape(args.target);
      const int64_t classes = args.classes > 0 ? args.classes : models::default_num_classes(args.target);
      models::ModelOptions options{.num_classes = classes,
                                   .in_channels = shape.size() == 3 ? shape[0] : 1};
      options.in_features = 1;
      for (int64_t d : shape) options.in_features *= d;
      model = models::create(args.target, options);
    }
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  if (args.names) {
    print_names(*model);
    return 0;
  }
  Shape input = {1};
  input.insert(input.end(), shape.begin(), shape.end());
  try {
    std::cout << models::summarize(*model, input);
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
}

}  // namespace nabla::cli
