// nabla predict: a trained run's predictions for new inputs (images, folders, glob patterns,
// safetensors files), as CSV (stdout or a file), JSON or safetensors; or a PyTorch state dict's
// in a zoo model (--weights, --model).
//
//   nabla predict runs/lenet shoe.png photos/ -o predictions.csv --top-k 3
//   nabla predict --weights lenet.safetensors --model lenet5 shoe.png
#include <CLI/CLI.hpp>
#include <algorithm>
#include <memory>
#include <optional>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "commands.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/io/safetensors.hpp"
#include "nabla/ops.hpp"
#include "nabla/run/predict.hpp"
#include "nabla/train/inference.hpp"

namespace nabla::cli {

namespace {

struct PredictArgs {
  std::vector<std::string> paths;  // RUN_DIR then the inputs; with --weights the inputs only
  std::string run_dir;
  std::vector<std::string> inputs;
  // --weights: a PyTorch state dict in model `model` built with `sets`.
  std::string weights, model;
  std::vector<std::string> sets;
  std::vector<int64_t> input_shape;
  int64_t classes = 0;
  std::string output;  // "" → CSV on stdout
  int64_t top_k = 3;
  bool logits = false;
  bool allow_out_of_range = false;
};

// The older form `nabla predict RUN in.safetensors out.safetensors`: a last path that does not
// exist yet and names an output file is the output.
void accept_older_form(PredictArgs& args) {
  if (!args.output.empty() || args.inputs.size() < 2) return;
  const std::string& last = args.inputs.back();
  if (std::filesystem::exists(last)) return;
  for (const char* extension : {".safetensors", ".csv", ".json"})
    if (last.ends_with(extension)) {
      args.output = last;
      args.inputs.pop_back();
      return;
    }
}

std::string class_name(const run::TrainedModel& trained, int64_t c) {
  const auto index = static_cast<size_t>(c);
  return index < trained.class_names.size() && !trained.class_names[index].empty()
             ? trained.class_names[index]
             : std::to_string(c);
}

// The k best classes of each row of `scores` [N, C], best first.
std::vector<std::vector<int64_t>> top_classes(const Tensor& scores, int64_t k) {
  const int64_t n = scores.size(0), c = scores.size(1);
  const std::vector<float> values = scores.to_vector<float>();
  std::vector<std::vector<int64_t>> top(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    std::vector<int64_t> order(static_cast<size_t>(c));
    for (int64_t j = 0; j < c; ++j) order[static_cast<size_t>(j)] = j;
    const float* row = values.data() + i * c;
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return row[a] > row[b]; });
    order.resize(static_cast<size_t>(k));
    top[static_cast<size_t>(i)] = std::move(order);
  }
  return top;
}

// The names of the labels whose probability is above 0.5, joined by ';'.
std::string predicted_labels(const run::TrainedModel& trained, const float* probabilities,
                             int64_t labels) {
  std::string out;
  for (int64_t j = 0; j < labels; ++j)
    if (probabilities[j] > 0.5f) out += (out.empty() ? "" : ";") + class_name(trained, j);
  return out;
}

// A CSV field, quoted (RFC 4180) when it holds a comma, quote or line break.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char ch : text) quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return quoted + "\"";
}

std::string format_csv(const run::TrainedModel& trained, const run::PredictInputs& batch,
                       const Tensor& scores, const PredictArgs& args) {
  std::ostringstream out;
  out.precision(6);
  const int64_t n = scores.size(0), c = scores.size(1);
  const std::vector<float> values = scores.to_vector<float>();
  // Every output's value: logits, regression values, or label probabilities (with the labels
  // predicted, those above 0.5, joined by ';').
  if (args.logits || trained.task != data::Task::classification) {
    const bool labels = !args.logits && trained.task == data::Task::multilabel;
    out << "input";
    if (labels) out << ",labels";
    for (int64_t j = 0; j < c; ++j) out << "," << csv_field(class_name(trained, j));
    out << "\n";
    for (int64_t i = 0; i < n; ++i) {
      out << csv_field(batch.names[static_cast<size_t>(i)]);
      if (labels) out << "," << csv_field(predicted_labels(trained, values.data() + i * c, c));
      for (int64_t j = 0; j < c; ++j) out << "," << values[static_cast<size_t>(i * c + j)];
      out << "\n";
    }
    return out.str();
  }
  const auto top = top_classes(scores, args.top_k);
  out << "input,predicted,probability";
  for (int64_t k = 2; k <= args.top_k; ++k) out << ",top" << k << ",probability" << k;
  out << "\n";
  for (int64_t i = 0; i < n; ++i) {
    out << csv_field(batch.names[static_cast<size_t>(i)]);
    for (int64_t c_best : top[static_cast<size_t>(i)])
      out << "," << csv_field(class_name(trained, c_best)) << ","
          << values[static_cast<size_t>(i * c + c_best)];
    out << "\n";
  }
  return out.str();
}

std::string format_json(const run::TrainedModel& trained, const run::PredictInputs& batch,
                        const Tensor& scores, const PredictArgs& args) {
  const int64_t n = scores.size(0), c = scores.size(1);
  const std::vector<float> values = scores.to_vector<float>();
  const auto top = top_classes(scores, args.top_k);
  nlohmann::json rows = nlohmann::json::array();
  for (int64_t i = 0; i < n; ++i) {
    nlohmann::json row = {{"input", batch.names[static_cast<size_t>(i)]}};
    if (trained.task != data::Task::classification) {
      nlohmann::json named = nlohmann::json::object();
      for (int64_t j = 0; j < c; ++j) named[class_name(trained, j)] = values[static_cast<size_t>(i * c + j)];
      if (args.logits) {
        row["logits"] = named;
      } else if (trained.task == data::Task::regression) {
        row["predicted"] = named;
      } else {
        row["labels"] = nlohmann::json::array();
        for (int64_t j = 0; j < c; ++j)
          if (values[static_cast<size_t>(i * c + j)] > 0.5f) row["labels"].push_back(class_name(trained, j));
        row["probabilities"] = named;
      }
      rows.push_back(row);
      continue;
    }
    const int64_t best = top[static_cast<size_t>(i)][0];
    row["predicted"] = class_name(trained, best);
    row["class_index"] = best;
    const std::vector<float> scores_of_row(values.begin() + i * c, values.begin() + (i + 1) * c);
    if (args.logits) {
      row["logits"] = scores_of_row;
    } else {
      row["probability"] = values[static_cast<size_t>(i * c + best)];
      nlohmann::json ranked = nlohmann::json::array();
      for (int64_t k : top[static_cast<size_t>(i)])
        ranked.push_back({{"class", class_name(trained, k)}, {"class_index", k},
                          {"probability", values[static_cast<size_t>(i * c + k)]}});
      row["top_k"] = ranked;
      row["probabilities"] = scores_of_row;
    }
    rows.push_back(row);
  }
  return rows.dump(2) + "\n";
}

const char* output_name(data::Task task) {
  return task == data::Task::regression ? "predictions" : "probabilities";
}

void write_output(const run::TrainedModel& trained, const run::PredictInputs& batch,
                  const Tensor& scores, const PredictArgs& args) {
  if (args.output.empty()) {
    std::cout << format_csv(trained, batch, scores, args);
    return;
  }
  if (args.output.ends_with(".safetensors")) {
    std::string names, classes;
    for (const std::string& name : batch.names) names += (names.empty() ? "" : "\n") + name;
    for (int64_t c = 0; c < scores.size(1); ++c)
      classes += (c ? "\n" : "") + class_name(trained, c);
    nn::NamedTensors tensors = {{args.logits ? "logits" : output_name(trained.task), scores}};
    if (trained.task == data::Task::classification) tensors.push_back({"predicted", argmax(scores, 1)});
    io::save_safetensors(args.output, tensors, {{"inputs", names}, {"class_names", classes}});
  } else {
    io::write_file_atomically(args.output,
                              args.output.ends_with(".json")
                                  ? format_json(trained, batch, scores, args)
                                  : format_csv(trained, batch, scores, args),
                              "predict");
  }
  std::cout << "wrote " << args.output << ": " << scores.size(0) << " inputs, "
            << (args.logits ? "logits"
                : trained.task == data::Task::classification ? "class probabilities"
                : trained.task == data::Task::regression     ? "predicted values"
                                                             : "label probabilities")
            << "\n";
}

// The run directory or the --weights file, with the arguments that go with each.
run::TrainedModel load_model(PredictArgs& args) {
  const bool foreign = !args.weights.empty();
  NABLA_CHECK(foreign || (args.model.empty() && args.input_shape.empty() && args.classes == 0),
              "predict: --model, --input-shape and --classes go with --weights FILE.safetensors "
              "(a PyTorch state dict); a run directory holds its own model");
  NABLA_CHECK(!foreign || !args.model.empty(), "predict: --weights needs --model NAME, the "
              "architecture the state dict belongs to (nabla summary NAME --names lists its names)");
  NABLA_CHECK(args.classes >= 0, "predict: --classes must be >= 1 (0: from the file), got ", args.classes);
  args.inputs = args.paths;
  if (foreign)
    return run::load_torch_weights({.weights = args.weights, .model = args.model, .overrides = args.sets,
                                    .sample_shape = Shape(args.input_shape.begin(), args.input_shape.end()),
                                    .num_classes = args.classes});
  NABLA_CHECK(!args.inputs.empty(), "predict: name the run directory (written by nabla train) "
              "and the inputs, or give --weights FILE.safetensors --model NAME");
  args.run_dir = args.inputs.front();
  args.inputs.erase(args.inputs.begin());
  return run::load_trained(args.run_dir, args.sets);
}

int predict_command(PredictArgs args) {
  std::optional<run::TrainedModel> loaded;
  run::PredictInputs batch;
  try {
    loaded.emplace(load_model(args));
    accept_older_form(args);
    NABLA_CHECK(args.top_k >= 1, "predict: --top-k must be >= 1, got ", args.top_k);
    NABLA_CHECK(args.output.empty() || args.output.ends_with(".csv") ||
                    args.output.ends_with(".json") || args.output.ends_with(".safetensors"),
                "predict: -o '", args.output, "': write .csv, .json or .safetensors");
    args.top_k = std::min(args.top_k, loaded->num_classes);
    batch = run::load_predict_inputs(*loaded, args.inputs);
    const std::string warning = run::check_input_range(*loaded, batch.inputs, args.allow_out_of_range);
    if (!warning.empty()) std::cerr << "nabla: warning: " << warning << "\n";
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitBadInput);
  }
  try {
    run::TrainedModel& trained = *loaded;
    const data::Preprocessing* pre = &trained.preprocessing;
    const auto transform = [pre](const Tensor& x) { return pre->apply(x); };
    const int64_t batch_size = trained.config.integer("train.eval_batch_size");
    const Tensor logits = train::predict_logits(*trained.model, batch.inputs, transform, batch_size);
    const Tensor scores = args.logits ? logits : train::task_predictions(trained.task, logits);
    write_output(trained, batch, scores, args);
    return 0;
  } catch (const std::exception& error) {
    return report_error(error.what(), kExitFailure);
  }
}

}  // namespace

void register_predict(CLI::App& app, Commands& commands) {
  auto args = std::make_shared<PredictArgs>();
  auto* command = app.add_subcommand(
      "predict", "a trained run's predictions (or, with --weights, a PyTorch state dict's) for images, folders, glob patterns, safetensors, .npy or CSV rows");
  command->add_option("paths", args->paths,
                      "the directory written by nabla train (not with --weights), then the inputs: "
                      "PNG/JPEG files, folders of them, quoted glob patterns, safetensors files "
                      "holding `input` [N, ...], .npy arrays [N, ...], CSV files of feature rows")
      ->required();
  command->add_option("--weights", args->weights,
                      "a PyTorch state dict (safetensors.torch.save_file) instead of a run "
                      "directory; needs --model");
  command->add_option("--model", args->model, "with --weights: the zoo model (lenet5, resnet18, "
                      "...) or layers (with --set model.layers=...)");
  command->add_option("--input-shape", args->input_shape,
                      "with --weights: one sample's shape, e.g. 3,32,32 (default: the model's)")
      ->delimiter(',')
      ->allow_extra_args(false);
  command->add_option("--classes", args->classes,
                      "with --weights: number of classes (default: the final layer's rows)");
  command->add_option("--set", args->sets, "override a config key (with --weights: the model's, "
                      "e.g. model.hidden=[64])")
      ->allow_extra_args(false);
  command->add_option("-o,--output", args->output,
                      "write .csv, .json or .safetensors (default: CSV on standard output)");
  command->add_option("--top-k", args->top_k, "classes listed per input, best first (default 3)");
  command->add_flag("--logits", args->logits, "raw model outputs instead of probabilities");
  command->add_flag("--allow-out-of-range", args->allow_out_of_range,
                    "predict even when the inputs lie far outside the training inputs' range");
  commands.emplace_back(command, [args] { return predict_command(*args); });
}

}  // namespace nabla::cli
