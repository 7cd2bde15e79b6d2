// Scatter plots: axes fitted to every group's drawable points, one dot (or ring) per point, the
// categories' names under a categorical axis, and a legend of the named groups.
#include <algorithm>
#include <cmath>

#include "report/plots.hpp"
#include "report/scatter.hpp"
#include "report/svg.hpp"

namespace nabla::report {

namespace {

constexpr double kWidth = 520;

bool drawable_x(const ScatterChart& chart, double x) {
  return std::isfinite(x) && (!chart.log_x || x > 0);
}

Axis x_axis(const ScatterChart& chart, const Extent& extent) {
  if (chart.categories.empty()) return axis_for(extent, chart.log_x);
  Axis axis;
  axis.low = -0.5;
  axis.high = static_cast<double>(chart.categories.size()) - 0.5;
  return axis;  // no ticks: the names are drawn instead of numbers
}

}  // namespace

std::string scatter_plot(const ScatterChart& chart) {
  Extent x_extent, y_extent;
  size_t skipped = 0, drawn = 0;
  for (const ScatterGroup& g : chart.groups)
    for (size_t i = 0; i < std::min(g.x.size(), g.y.size()); ++i) {
      if (!drawable_x(chart, g.x[i]) || !std::isfinite(g.y[i])) {
        skipped += g.ring ? 0 : 1;
        continue;
      }
      x_extent.add(g.x[i]);
      y_extent.add(g.y[i]);
      ++drawn;
    }
  if (drawn == 0 && skipped == 0) return "";

  Svg svg(chart.id, kWidth, 300, chart.title);
  const Box box{70, 32, kWidth - 70 - 18, 206};
  Chart plot(svg, box, x_axis(chart, x_extent), axis_for(y_extent, false));
  plot.draw_axes(chart.x_label + (chart.log_x ? " (log scale)" : ""), chart.y_label);
  const double bottom = box.y + box.height;
  const double slot = box.width / std::max<double>(1, static_cast<double>(chart.categories.size()));
  for (size_t c = 0; c < chart.categories.size(); ++c)
    svg.text(plot.px(static_cast<double>(c)), bottom + 15, fit_text(chart.categories[c], slot - 4, 11),
             "font-size=\"11\" fill=\"#555\" text-anchor=\"middle\"");
  std::vector<std::pair<std::string, std::string>> legend;
  for (const ScatterGroup& g : chart.groups) {
    if (g.ring) {
      for (size_t i = 0; i < std::min(g.x.size(), g.y.size()); ++i)
        if (drawable_x(chart, g.x[i]) && std::isfinite(g.y[i]))
          svg.circle(plot.px(g.x[i]), plot.py(g.y[i]), g.radius,
                     "fill=\"none\" stroke=\"" + g.colour + "\" stroke-width=\"2\"");
    } else {
      plot.points(g.x, g.y, g.colour, g.radius, 0.85);
    }
    if (!g.name.empty() && !g.x.empty()) legend.emplace_back(g.name, g.colour);
  }
  const double legend_top = bottom + 54;
  const double legend_height = svg.legend(box.x, legend_top, box.width, legend);
  svg.set_height(std::max(300.0, legend_top + legend_height - 4));

  std::string caption = escape(chart.caption);
  if (skipped > 0)
    caption += " <em>" + std::to_string(skipped) + (skipped == 1 ? " point" : " points") +
               " without a drawable value not shown.</em>";
  return figure(svg.str(), caption);
}

}  // namespace nabla::report
