#include "run_report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "nabla/report/graphviz.hpp"
#include "nabla/report/report.hpp"
#include "nabla/train/inspect.hpp"
#include "nabla/train/monitor.hpp"

namespace nabla::cli {

namespace {

constexpr int64_t kMisclassifiedShown = 32;
constexpr int64_t kBoundaryGrid = 100;

std::string significant(double value) {
  std::ostringstream out;
  out.precision(4);
  out << value;
  return out.str();
}

std::string shape_text(const Shape& shape) {
  std::ostringstream out;
  out << shape;
  return out.str();
}

std::string percent(double fraction) {
  std::ostringstream out;
  out.precision(2);
  out << std::fixed << 100.0 * fraction << "%";
  return out.str();
}

// Images [N, C, H, W] only (a flat sample cannot be drawn); pixels rescaled to [0, 1] per image
// so standardised or raw inputs both show.
void add_misclassified(const data::Dataset& test, const train::Evaluation& eval,
                       report::RunRecord& record) {
  if (test.inputs.dim() != 4 || !eval.predictions.defined()) return;
  const std::vector<int64_t> predicted = eval.predictions.to_vector<int64_t>();
  const std::vector<int64_t> labels = test.targets.to_vector<int64_t>();
  const int64_t channels = test.inputs.size(1), height = test.inputs.size(2), width = test.inputs.size(3);
  for (size_t i = 0; i < predicted.size() && static_cast<int64_t>(record.misclassified.size()) < kMisclassifiedShown; ++i) {
    if (predicted[i] == labels[i]) continue;
    std::vector<float> pixels = test.inputs.narrow(0, static_cast<int64_t>(i), 1).contiguous().to_vector<float>();
    const auto [low, high] = std::minmax_element(pixels.begin(), pixels.end());
    const float lo = *low, span = std::max(*high - *low, 1e-12f);
    for (float& p : pixels) p = (p - lo) / span;
    record.misclassified.push_back({std::move(pixels), channels, height, width, labels[i], predicted[i]});
  }
}

void add_boundary(train::Trainer& trainer, const data::Dataset& train_set, report::RunRecord& record) {
  if (train_set.inputs.dim() != 2 || train_set.inputs.size(1) != 2) return;
  const std::vector<float> points = train_set.inputs.contiguous().to_vector<float>();
  report::DecisionBoundary& b = record.boundary;
  b.x_low = b.y_low = INFINITY;
  b.x_high = b.y_high = -INFINITY;
  for (size_t i = 0; i < points.size(); i += 2) {
    b.x_low = std::min<double>(b.x_low, points[i]), b.x_high = std::max<double>(b.x_high, points[i]);
    b.y_low = std::min<double>(b.y_low, points[i + 1]), b.y_high = std::max<double>(b.y_high, points[i + 1]);
    b.point_x.push_back(points[i]);
    b.point_y.push_back(points[i + 1]);
  }
  b.point_class = train_set.targets.to_vector<int64_t>();
  const double margin_x = 0.1 * (b.x_high - b.x_low), margin_y = 0.1 * (b.y_high - b.y_low);
  b.x_low -= margin_x, b.x_high += margin_x, b.y_low -= margin_y, b.y_high += margin_y;
  std::vector<float> grid;
  for (int64_t row = 0; row < kBoundaryGrid; ++row)
    for (int64_t col = 0; col < kBoundaryGrid; ++col) {
      grid.push_back(static_cast<float>(b.x_low + (col + 0.5) * (b.x_high - b.x_low) / kBoundaryGrid));
      grid.push_back(static_cast<float>(b.y_low + (row + 0.5) * (b.y_high - b.y_low) / kBoundaryGrid));
    }
  const Tensor probs = trainer.predict(from_vector(grid, {kBoundaryGrid * kBoundaryGrid, 2}));
  const std::vector<float> p = probs.contiguous().to_vector<float>();
  const int64_t classes = probs.size(1);
  for (int64_t i = 0; i < kBoundaryGrid * kBoundaryGrid; ++i)
    b.grid_classes.push_back(std::max_element(p.begin() + i * classes, p.begin() + (i + 1) * classes) -
                             (p.begin() + i * classes));
  b.grid = kBoundaryGrid;
}

// The first facts of the page: the test split's headline numbers for the task.
std::vector<std::pair<std::string, std::string>> task_facts(const train::Evaluation& test) {
  switch (test.task) {
    case data::Task::regression:
      return {{"test RMSE", significant(test.regression.rmse)},
              {"test MAE", significant(test.regression.mae)},
              {"test R²", significant(test.regression.r2)},
              {"test loss", significant(test.loss)}};
    case data::Task::multilabel:
      return {{"test mean average precision", significant(test.labels.mean_average_precision)},
              {"test label accuracy", percent(test.accuracy)},
              {"test micro / macro F1", significant(test.labels.micro_f1) + " / " +
                                            significant(test.labels.macro_f1)},
              {"test rows with every label right", percent(test.labels.subset_accuracy)},
              {"test loss", significant(test.loss)}};
    case data::Task::classification: break;
  }
  return {{"test accuracy", percent(test.accuracy)},
          {"test loss", significant(test.loss)},
          {"top-5 accuracy", percent(test.top_k_accuracy)}};
}

void add_fits(const data::Dataset& test, const train::Evaluation& eval, report::RunRecord& record) {
  const int64_t targets = eval.outputs.size(1);
  const std::vector<float> truth = test.targets.contiguous().to_vector<float>();
  const std::vector<float> predicted = eval.outputs.contiguous().to_vector<float>();
  for (int64_t t = 0; t < targets; ++t) {
    report::TargetFit fit;
    fit.name = t < static_cast<int64_t>(test.class_names.size()) ? test.class_names[t] : "";
    for (size_t i = static_cast<size_t>(t); i < truth.size(); i += static_cast<size_t>(targets)) {
      fit.truth.push_back(truth[i]);
      fit.predicted.push_back(predicted[i]);
    }
    record.fits.push_back(std::move(fit));
  }
}

// Image models with a convolution: the first layer's filters, and the first test image with
// the activation maps of the first kPictureLayers convolutions.
void add_pictures(train::Trainer& trainer, const data::Dataset& test, report::RunRecord& record) {
  constexpr size_t kPictureLayers = 8;
  if (test.inputs.dim() != 4 || test.size() == 0) return;
  const Tensor raw = test.inputs.narrow(0, 0, 1);
  const auto& transform = trainer.options().input_transform;
  const auto maps = train::conv_activations(trainer.model(), transform ? transform(raw) : raw);
  if (maps.empty()) return;
  const auto [name, weight] = train::first_conv_weight(trainer.model(), test.sample_shape());
  record.filters = {name, report::image_grid(weight)};
  record.probe = report::image_grid(raw, /*zoom=*/3, 1);
  for (size_t i = 0; i < std::min(maps.size(), kPictureLayers); ++i)
    record.activation_maps.push_back({maps[i].first + " " + shape_text(maps[i].second.shape()),
                                      report::feature_map_grid(maps[i].second)});
}

// Graphviz draws the graph when it can; otherwise the page says why in one line and keeps the
// DOT text. A missing or failing dot never fails the run.
void add_graph(const StepGraph& graph, report::RunRecord& record) {
  record.graph_dot = graph.dot;
  record.graph_note = graph.problem;
  if (graph.dot.empty()) return;
  report::GraphvizSvg drawn = report::render_dot_svg(graph.dot);
  record.graph_svg = std::move(drawn.svg);
  if (!drawn.problem.empty()) record.graph_note = drawn.problem;
}

}  // namespace

void write_run_report(const std::string& path, const std::string& config_path,
                      const run::Config& config, train::Trainer& trainer,
                      const train::History& history, const data::Splits& splits,
                      const train::Evaluation& test, const StepGraph& graph) {
  report::RunRecord record;
  record.title = std::filesystem::path(config_path).filename().string();
  train::fill_run_record(history, trainer.last_monitor(), record);
  record.facts = task_facts(test);
  record.facts.insert(record.facts.end(), {
                  {"epochs run", std::to_string(history.epochs.size())},
                  {"model", config.text("model.name")},
                  {"parameters", std::to_string(trainer.model().parameter_count())},
                  {"training / validation / test samples",
                   std::to_string(splits.train.size()) + " / " + std::to_string(splits.validation.size()) +
                       " / " + std::to_string(splits.test.size())}});
  if (!history.stop_reason.empty()) record.facts.push_back({"stopped", history.stop_reason});
  record.config_text = config.resolved_toml();
  record.class_names = splits.train.class_names;
  record.confusion = test.confusion;
  if (test.task == data::Task::classification) {
    add_misclassified(splits.test, test, record);
    add_boundary(trainer, splits.train, record);
  }
  add_pictures(trainer, splits.test, record);
  add_graph(graph, record);
  if (test.task == data::Task::regression) {
    record.train_accuracy.clear();  // all NaN: a regression has no accuracy
    record.val_accuracy.clear();
    add_fits(splits.test, test, record);
  }
  if (test.task == data::Task::multilabel)
    record.label_scores = {splits.test.class_names, test.labels.precision, test.labels.recall,
                           test.labels.f1, test.labels.average_precision};
  report::write_report(path, record);
}

}  // namespace nabla::cli
