// nabla eval and nabla predict: a finished run's model on its test split, or on new inputs.
#include <iomanip>
#include <optional>
#include <iostream>

#include "commands.hpp"
#include "nabla/autograd.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/nn/functional/activation.hpp"
#include "nabla/run/setup.hpp"
#include "nabla/run/trained.hpp"
#include "nabla/train/metrics.hpp"

namespace nabla::cli {

namespace {

// Class probabilities of `inputs` [N, ...] in batches, preprocessing applied.
Tensor probabilities(run::TrainedModel& trained, const Tensor& inputs, int64_t batch) {
  autograd::NoGradGuard no_grad;
  std::vector<float> out;
  out.reserve(static_cast<size_t>(inputs.size(0) * trained.num_classes));
  for (int64_t begin = 0; begin < inputs.size(0); begin += batch) {
    const int64_t n = std::min(batch, inputs.size(0) - begin);
    const Tensor x = trained.preprocessing.apply(inputs.narrow(0, begin, n).contiguous());
    const Tensor p = nn::functional::softmax((*trained.model)(x), 1).contiguous();
    const std::vector<float> values = p.to_vector<float>();
    out.insert(out.end(), values.begin(), values.end());
  }
  return from_vector(out, {inputs.size(0), trained.num_classes});
}

void print_evaluation(const train::ClassificationMetrics& metrics,
                      const std::vector<std::string>& names) {
  std::cout << std::fixed << std::setprecision(2) << "test accuracy: " << 100 * metrics.accuracy()
            << "%  top-" << std::min<int64_t>(5, static_cast<int64_t>(metrics.confusion().size()))
            << ": " << 100 * metrics.top_k_accuracy() << "%  (" << metrics.count() << " samples)\n"
            << "per class:\n";
  const std::vector<double> per_class = metrics.per_class_accuracy();
  for (size_t c = 0; c < per_class.size(); ++c)
    std::cout << "  " << std::setw(3) << c << " " << std::left << std::setw(14)
              << (c < names.size() ? names[c] : "") << std::right << std::setw(7)
              << 100 * per_class[c] << "%\n";
  std::cout << "confusion matrix (rows: true class, columns: predicted):\n";
  for (const std::vector<int64_t>& row : metrics.confusion()) {
    for (int64_t count : row) std::cout << std::setw(6) << count;
    std::cout << "\n";
  }
}

}  // namespace

int eval_command(const std::string& run_dir, const std::vector<std::string>& sets) {
  std::optional<run::TrainedModel> loaded;
  data::Splits splits;
  try {
    loaded.emplace(run::load_trained(run_dir, sets));
    splits = run::load_data(loaded->config);
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  run::TrainedModel& trained = *loaded;
  try {
    const Tensor probs = probabilities(trained, splits.test.inputs,
                                       trained.config.integer("train.eval_batch_size"));
    train::ClassificationMetrics metrics(trained.num_classes);
    metrics.add(probs, splits.test.targets);
    print_evaluation(metrics, trained.class_names);
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}

int predict_command(const std::string& run_dir, const std::string& input, const std::string& output) {
  std::optional<run::TrainedModel> loaded;
  Tensor inputs;
  try {
    loaded.emplace(run::load_trained(run_dir));
    const run::TrainedModel& trained = *loaded;
    const io::SafetensorsContents file = io::load_safetensors(input);
    for (const auto& [name, tensor] : file.tensors)
      if (name == "input") inputs = tensor;
    NABLA_CHECK(inputs.defined(), "predict: '", input, "' has no tensor named 'input'; save the "
                "samples [N, ...] under that name");
    Shape expected = {inputs.dim() > 0 ? inputs.size(0) : 0};
    expected.insert(expected.end(), trained.sample_shape.begin(), trained.sample_shape.end());
    NABLA_CHECK(inputs.shape() == expected, "predict: 'input' in '", input, "' has shape ",
                inputs.shape(), "; the model takes samples of shape ", trained.sample_shape,
                " stacked along a first dim");
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  run::TrainedModel& trained = *loaded;
  try {
    const Tensor probs = probabilities(trained, inputs.to(DType::f32),
                                       trained.config.integer("train.eval_batch_size"));
    io::save_safetensors(output, {{"output", probs}});
    std::cout << "wrote " << output << ": output " << probs.shape() << " class probabilities\n";
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}

}  // namespace nabla::cli
