// A scatter plot for the report pages: groups of dots over a linear, log-10 or categorical x
// axis (`nabla tune` draws each hyperparameter against the validation metric with it).
//
//   ScatterChart chart{.id = "param-optimizer-lr", .title = "optimizer.lr", .x_label = "lr",
//                      .y_label = "val_accuracy", .log_x = true};
//   chart.groups.push_back({.name = "trials", .colour = "#1f77b4", .x = lrs, .y = accuracies});
//   std::string html = scatter_plot(chart);   // a <figure>, "" when no group has a point
#pragma once

#include <string>
#include <vector>

namespace nabla::report {

struct ScatterGroup {
  std::string name{};  // "" keeps it out of the legend
  std::string colour{};
  std::vector<double> x{}, y{};
  double radius = 4.0;
  bool ring = false;  // an open circle (to mark a point drawn by another group too)
};

struct ScatterChart {
  std::string id{}, title{}, x_label{}, y_label{};
  bool log_x = false;
  // Non-empty: x values are indices into these names, drawn as category labels.
  std::vector<std::string> categories{};
  std::vector<ScatterGroup> groups{};  // drawn in order, so later groups sit on top
  std::string caption{};               // plain text, escaped when drawn
};

// The <figure>; points that cannot be drawn (NaN, ≤ 0 on the log axis) are counted in the
// caption.
std::string scatter_plot(const ScatterChart& chart);

}  // namespace nabla::report
