// Line charts over epochs: loss, accuracy, learning rate and update/weight ratios.
#include <algorithm>
#include <cmath>

#include "report/plots.hpp"
#include "report/svg.hpp"

namespace nabla::report {

namespace {

constexpr double kWidth = 520;

// Trailing mean of the finite values among the last `window` (NaN where there are none), so a
// diverged step does not poison the curve after it.
std::vector<double> moving_average(const std::vector<double>& values, size_t window) {
  std::vector<double> out(values.size(), std::nan(""));
  double sum = 0;
  size_t count = 0;
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::isfinite(values[i])) sum += values[i], ++count;
    if (i >= window && std::isfinite(values[i - window])) sum -= values[i - window], --count;
    if (count > 0) out[i] = sum / static_cast<double>(count);
  }
  return out;
}

// Log scale when every finite value is positive and they span at least `ratio`.
bool wants_log(const std::vector<const std::vector<double>*>& all, double ratio) {
  Extent extent;
  for (const auto* values : all)
    for (double v : *values) {
      if (std::isfinite(v) && v <= 0) return false;
      extent.add(v);
    }
  return extent.any && extent.high >= ratio * extent.low;
}

LineChart chart_of(std::string id, std::string title, std::string y_label) {
  LineChart chart;
  chart.id = std::move(id);
  chart.title = std::move(title);
  chart.x_label = "epoch";
  chart.integer_x = true;
  chart.y_label = std::move(y_label);
  return chart;
}

// A per-epoch series with no finite value is treated as absent: a run without a validation
// split, or a regression run, records NaN accuracies rather than none.
bool has_finite(const std::vector<double>& values) {
  return std::any_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

}  // namespace

std::string figure(const std::string& svg, const std::string& caption, bool wide) {
  return std::string("<figure") + (wide ? " class=\"wide\"" : "") + ">" + svg + "<figcaption>" +
         caption + "</figcaption></figure>\n";
}

std::vector<double> epoch_x(const RunRecord& record, size_t n) {
  if (record.epoch.size() == n) return record.epoch;
  std::vector<double> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = static_cast<double>(i + 1);
  return x;
}

std::string line_chart(const LineChart& chart) {
  Extent x_extent, y_extent;
  size_t non_finite = 0, non_positive = 0;
  std::vector<std::pair<std::string, std::string>> legend;
  for (const auto& s : chart.series) {
    for (size_t i = 0; i < std::min(s.x.size(), s.y.size()); ++i) {
      if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
        non_finite += s.derived ? 0 : 1;
      } else if (chart.log_y && s.y[i] <= 0) {
        non_positive += s.derived ? 0 : 1;
      } else {
        x_extent.add(s.x[i]);
        y_extent.add(s.y[i]);
      }
    }
    if (!s.name.empty() && !s.y.empty()) legend.emplace_back(s.name, s.colour);
  }
  for (const auto& [y, label] : chart.guides) y_extent.add(y, chart.log_y);
  // A single epoch: show it between 0 and 2 rather than on a zoomed-in 0.9 .. 1.1.
  if (x_extent.any && x_extent.low == x_extent.high) {
    x_extent.add(x_extent.low - 1);
    x_extent.add(x_extent.high + 1);
  }

  Svg svg(chart.id, kWidth, 300, chart.title);
  const Box box{70, 32, kWidth - 70 - 18, 206};
  Chart plot(svg, box, axis_for(x_extent, false, chart.integer_x ? 1.0 : 0.0),
             axis_for(y_extent, chart.log_y));
  plot.draw_axes(chart.x_label, chart.y_label + (chart.log_y ? " (log scale)" : ""));
  for (const auto& [y, label] : chart.guides) plot.guide(y, "#c0392b", label);
  for (const auto& s : chart.series) {
    if (s.style == Series::Style::dots) {
      plot.points(s.x, s.y, s.colour, s.width / 2, s.opacity);
      continue;
    }
    plot.polyline(s.x, s.y, s.colour, s.width);
    if (s.style == Series::Style::line_with_markers) plot.points(s.x, s.y, s.colour, 3.2);
  }
  const double legend_top = box.y + box.height + 54;
  const double legend_height = svg.legend(box.x, legend_top, box.width, legend);
  svg.set_height(std::max(300.0, legend_top + legend_height - 4));

  std::string caption = escape(chart.caption);
  if (non_finite > 0)
    caption += " <em>" + plural(non_finite, "non-finite value") + " not drawn.</em>";
  if (non_positive > 0)
    caption += " <em>" + plural(non_positive, "value") + " ≤ 0 not drawn on the log scale.</em>";
  return figure(svg.str(), caption);
}

std::string loss_plot(const RunRecord& record) {
  LineChart chart = chart_of("loss", "Loss", "loss");
  if (!record.step_loss.empty()) {
    const size_t window = std::max<size_t>(1, record.step_loss.size() / 50);
    chart.series.push_back({.name = "train, per step",
                            .x = record.step_epoch,
                            .y = record.step_loss,
                            .colour = "#4a90c8",
                            .style = Series::Style::dots,
                            .width = 3,
                            .opacity = 0.35});
    // A mean of one step would be the dots again (short runs): then the dots are joined.
    chart.series.push_back({.name = window > 1 ? "train, mean of " + std::to_string(window) + " steps"
                                               : "train",
                            .x = record.step_epoch,
                            .y = moving_average(record.step_loss, window),
                            .colour = "#1f4e9c",
                            .width = window > 1 ? 2.0 : 1.2,
                            .derived = true});
  } else if (has_finite(record.train_loss)) {
    chart.series.push_back({.name = "train",
                            .x = epoch_x(record, record.train_loss.size()),
                            .y = record.train_loss,
                            .colour = "#1f77b4",
                            .style = Series::Style::line_with_markers});
  }
  if (has_finite(record.val_loss))
    chart.series.push_back({.name = "validation",
                            .x = epoch_x(record, record.val_loss.size()),
                            .y = record.val_loss,
                            .colour = "#ff7f0e",
                            .style = Series::Style::line_with_markers});
  if (chart.series.empty()) return "";
  chart.log_y = wants_log({&record.step_loss, &record.train_loss, &record.val_loss}, 100);
  chart.caption =
      "Training loss per step (dots) with its moving average, and validation loss per epoch. "
      "Expect a fast drop then a slow decline; validation rising while training falls is "
      "overfitting, a flat curve from the start a too small learning rate.";
  return line_chart(chart);
}

std::string accuracy_plot(const RunRecord& record) {
  LineChart chart = chart_of("accuracy", "Accuracy", "accuracy");
  if (has_finite(record.train_accuracy))
    chart.series.push_back({.name = "train",
                            .x = epoch_x(record, record.train_accuracy.size()),
                            .y = record.train_accuracy,
                            .colour = "#1f77b4",
                            .style = Series::Style::line_with_markers});
  if (has_finite(record.val_accuracy))
    chart.series.push_back({.name = "validation",
                            .x = epoch_x(record, record.val_accuracy.size()),
                            .y = record.val_accuracy,
                            .colour = "#ff7f0e",
                            .style = Series::Style::line_with_markers});
  if (chart.series.empty()) return "";
  chart.caption =
      "Train and validation accuracy per epoch. A wide gap means overfitting (more "
      "regularisation or data); no gap at low accuracy means the model is too small.";
  return line_chart(chart);
}

// Per step when the record has it (a one-cycle or warm-up schedule changes within an epoch),
// else the lr of each epoch's last step.
std::string learning_rate_plot(const RunRecord& record) {
  const bool per_step = has_finite(record.step_lr) && record.step_lr.size() == record.step_epoch.size();
  if (!per_step && !has_finite(record.learning_rate)) return "";
  LineChart chart = chart_of("learning-rate", "Learning rate", "learning rate");
  if (per_step)
    chart.series.push_back(
        {.name = "", .x = record.step_epoch, .y = record.step_lr, .colour = "#2ca02c"});
  else
    chart.series.push_back({.name = "",
                            .x = epoch_x(record, record.learning_rate.size()),
                            .y = record.learning_rate,
                            .colour = "#2ca02c",
                            .style = Series::Style::line_with_markers});
  const std::vector<double>& shown = per_step ? record.step_lr : record.learning_rate;
  chart.log_y = wants_log({&shown}, 10);
  chart.caption = per_step ? "The learning rate of every step, as the schedule set it."
                           : "The learning rate of each epoch, as the schedule set it.";
  return line_chart(chart);
}

std::string update_ratio_plot(const RunRecord& record) {
  LineChart chart = chart_of("update-ratios", "Update / weight ratio", "‖update‖ / ‖weight‖");
  chart.log_y = true;
  size_t colour = 0;
  for (const auto& [name, ratios] : record.update_ratios) {
    if (!has_finite(ratios)) continue;
    chart.series.push_back(
        {.name = name,
         .x = epoch_x(record, ratios.size()),
         .y = ratios,
         .colour = palette(colour++),
         .style = ratios.size() == 1 ? Series::Style::line_with_markers : Series::Style::line});
  }
  if (chart.series.empty()) return "";
  chart.guides.emplace_back(1e-3, "1e-3");
  chart.caption =
      "Size of each parameter tensor's update relative to its weights, per epoch. Around 1e-3 "
      "is healthy; far below, the learning rate is too low; far above, too high.";
  return line_chart(chart);
}

}  // namespace nabla::report
