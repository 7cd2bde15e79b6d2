// The test-set plots of the regression and multi-label tasks, drawn as scatter plots.
#include <algorithm>
#include <cmath>

#include "report/plots.hpp"
#include "report/scatter.hpp"

namespace nabla::report {

namespace {

constexpr size_t kMostTargets = 4;  // a plot pair each; more would bury the rest of the page
constexpr int kLinePoints = 60;     // dots that draw the y = x line

std::string name_of(const TargetFit& fit, size_t k) {
  return fit.name.empty() ? "target " + std::to_string(k) : fit.name;
}

}  // namespace

std::vector<std::string> regression_plots(const RunRecord& record) {
  std::vector<std::string> plots;
  for (size_t k = 0; k < std::min(record.fits.size(), kMostTargets); ++k) {
    const TargetFit& fit = record.fits[k];
    if (fit.truth.empty()) continue;
    double low = INFINITY, high = -INFINITY;
    for (double v : fit.truth)
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
    ScatterGroup line{.name = "predicted = true", .colour = "#bbbbbb", .radius = 1.2};
    for (int i = 0; i <= kLinePoints && std::isfinite(low); ++i) {
      const double v = low + (high - low) * i / kLinePoints;
      line.x.push_back(v);
      line.y.push_back(v);
    }
    ScatterGroup points{.name = "test samples", .colour = "#4a7fb5", .x = fit.truth,
                        .y = fit.predicted, .radius = 2.2};
    const std::string name = name_of(fit, k);
    plots.push_back(scatter_plot({.id = "fit-" + std::to_string(k),
                                  .title = "Predicted vs true: " + name,
                                  .x_label = "true " + name, .y_label = "predicted",
                                  .groups = {line, points},
                                  .caption = "Each test sample at (true, predicted); a perfect "
                                             "model puts every dot on the grey line."}));
    ScatterGroup residuals{.name = "", .colour = "#d9822b", .x = fit.predicted, .radius = 2.2};
    for (size_t i = 0; i < fit.truth.size(); ++i)
      residuals.y.push_back(fit.truth[i] - fit.predicted[i]);
    plots.push_back(scatter_plot({.id = "residuals-" + std::to_string(k),
                                  .title = "Residuals: " + name, .x_label = "predicted " + name,
                                  .y_label = "true - predicted", .groups = {residuals},
                                  .caption = "Residuals should scatter evenly around 0; a curve "
                                             "or a funnel is structure the model missed."}));
  }
  return plots;
}

std::string label_score_plot(const RunRecord& record) {
  const LabelScoreTable& l = record.label_scores;
  if (l.names.empty()) return "";
  std::vector<double> index(l.names.size());
  for (size_t i = 0; i < index.size(); ++i) index[i] = static_cast<double>(i);
  const auto group = [&](const char* name, const char* colour, const std::vector<double>& y,
                         double radius) {
    return ScatterGroup{.name = name, .colour = colour, .x = index, .y = y, .radius = radius};
  };
  return scatter_plot({.id = "label-scores", .title = "Scores per label", .x_label = "label",
                       .y_label = "score", .categories = l.names,
                       .groups = {group("average precision", "#222222", l.average_precision, 5.5),
                                  group("precision", "#4a7fb5", l.precision, 3.5),
                                  group("recall", "#d9822b", l.recall, 3.5),
                                  group("F1", "#3c9d5d", l.f1, 3.5)},
                       .caption = "Per label on the test set: precision and recall at probability "
                                  "0.5, their F1, and the average precision over every threshold. "
                                  "A label far below the others needs more examples or weight."});
}

}  // namespace nabla::report
