// The plots of report.html, one function per kind. Each returns a <figure> holding one
// <svg class="plot" id=...> and a caption, or "" when its data is empty. The record has been
// checked by render_html (lengths agree, shapes fit) before any of these run.
#pragma once

#include <string>
#include <vector>

#include "nabla/report/report.hpp"

namespace nabla::report {

// The stylesheet of nabla's HTML pages (report.html, tune_report.html): two columns of plots,
// fact tables, details blocks.
const char* page_style();

// A <figure> around `svg` with `caption` (already HTML). Wide figures span both grid columns.
std::string figure(const std::string& svg, const std::string& caption, bool wide = false);

// One series of a line chart.
struct Series {
  enum class Style { line, dots, line_with_markers };
  std::string name;  // "" keeps it out of the legend
  std::vector<double> x, y;
  std::string colour;
  Style style = Style::line;
  double width = 1.8;  // line width, or dot diameter for dots
  double opacity = 1.0;
  bool derived = false;  // computed from another series: its gaps are not counted again
};

struct LineChart {
  std::string id, title, x_label, y_label;
  std::vector<Series> series;
  bool log_y = false;
  bool integer_x = false;  // x ticks on whole numbers only (epochs)
  std::vector<std::pair<double, std::string>> guides;  // dashed horizontal lines: y, label
  std::string caption;                                 // plain text, escaped when drawn
};

// Axes fitted to all series and guides, the series in order, a legend below the plot, and a
// caption that also counts the values that could not be drawn (NaN, inf, ≤ 0 on a log scale).
std::string line_chart(const LineChart& chart);

// The x values of a per-epoch series of n values: record.epoch, or 1..n when it is empty.
std::vector<double> epoch_x(const RunRecord& record, size_t n);

std::string loss_plot(const RunRecord& record);
std::string accuracy_plot(const RunRecord& record);
std::string learning_rate_plot(const RunRecord& record);
std::string update_ratio_plot(const RunRecord& record);

// Small multiples, one panel of bars per histogram; `colour` tells activations from gradients.
std::string histogram_plot(const std::string& id, const std::string& title,
                           const std::vector<Histogram>& histograms, const std::string& colour,
                           const std::string& caption);
std::string dead_relu_plot(const RunRecord& record);

std::string confusion_plot(const RunRecord& record);
std::string misclassified_plot(const RunRecord& record);
std::string decision_boundary_plot(const RunRecord& record);

// Regression: predicted against true values with the y = x line, and the residuals (true -
// predicted) against the predicted values, for each target of record.fits (at most 4).
std::vector<std::string> regression_plots(const RunRecord& record);
// Multi-label: precision, recall, F1 and average precision of each label.
std::string label_score_plot(const RunRecord& record);

// class_names[index] when there is one, else the number.
std::string class_name(const RunRecord& record, int64_t index);

// report/picture_plots.cpp: <figure>s holding inline PNGs rather than SVG.
std::string filters_plot(const RunRecord& record);
std::string activation_maps_plot(const RunRecord& record);
// The autograd graph: Graphviz's inline SVG, or graph_note and the DOT text.
std::string graph_plot(const RunRecord& record);

}  // namespace nabla::report
