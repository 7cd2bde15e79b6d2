// Bar plots: per-layer histograms as small multiples, and the dead-ReLU fraction per layer.
#include <algorithm>
#include <cmath>

#include "report/plots.hpp"
#include "report/svg.hpp"

namespace nabla::report {

namespace {

constexpr double kWidth = 520;

// One histogram in a panel at (x, y) of the given width: name, bars scaled to the panel's
// largest bin, and the range below (with 0 marked when it lies inside).
void histogram_panel(Svg& svg, const Histogram& h, double x, double y, double width,
                     const std::string& colour) {
  constexpr double kBars = 68;
  svg.text(x, y + 12, fit_text(h.name, width, 11), "font-size=\"11\" font-weight=\"600\"");
  const double base = y + 20 + kBars;
  const int64_t most = *std::max_element(h.counts.begin(), h.counts.end());
  const double bin = width / static_cast<double>(h.counts.size());
  std::string d;  // all bars of the panel as one path
  for (size_t i = 0; i < h.counts.size() && most > 0; ++i) {
    if (h.counts[i] <= 0) continue;
    const double height =
        std::max(0.8, kBars * static_cast<double>(h.counts[i]) / static_cast<double>(most));
    const double left = x + static_cast<double>(i) * bin;
    d.append("M").append(format_pixel(left)).append(" ").append(format_pixel(base));
    d.append("v").append(format_pixel(-height));
    d.append("h").append(format_pixel(std::max(bin - 0.4, 0.6)));
    d.append("v").append(format_pixel(height)).append("z");
  }
  if (!d.empty()) svg.raw("<path d=\"" + d + "\" fill=\"" + colour + "\"/>");
  svg.line(x, base, x + width, base, "stroke=\"#999\"");
  const std::string small = "font-size=\"10\" fill=\"#555\"";
  const std::string low = format_number(h.low), high = format_number(h.high);
  svg.text(x, base + 13, low, small);
  svg.text(x + width, base + 13, high, small + " text-anchor=\"end\"");
  if (h.low < 0 && h.high > 0) {
    const double zero = x + width * (-h.low) / (h.high - h.low);
    svg.line(zero, base, zero, base + 4, "stroke=\"#555\"");
    // The "0" only where it clears both end labels ("-4.98e-05" is ~50 px wide, not 28).
    const double half = text_width("0", 10) / 2 + 4;
    if (zero - half > x + text_width(low, 10) && zero + half < x + width - text_width(high, 10))
      svg.text(zero, base + 13, "0", small + " text-anchor=\"middle\"");
  }
}

}  // namespace

std::string histogram_plot(const std::string& id, const std::string& title,
                           const std::vector<Histogram>& histograms, const std::string& colour,
                           const std::string& caption) {
  std::vector<const Histogram*> shown;
  for (const auto& h : histograms)
    if (!h.counts.empty()) shown.push_back(&h);
  if (shown.empty()) return "";
  const size_t columns = std::min<size_t>(shown.size(), 3);
  const size_t rows = (shown.size() + columns - 1) / columns;
  const double top = 30, panel_height = 116, gap = 18;
  const double panel_width =
      (kWidth - 20 - gap * static_cast<double>(columns - 1)) / static_cast<double>(columns);
  Svg svg(id, kWidth, top + static_cast<double>(rows) * panel_height + 4, title);
  for (size_t i = 0; i < shown.size(); ++i) {
    const double x = 10 + static_cast<double>(i % columns) * (panel_width + gap);
    const double y = top + static_cast<double>(i / columns) * panel_height;
    histogram_panel(svg, *shown[i], x, y, panel_width, colour);
  }
  return figure(svg.str(), escape(caption));
}

std::string dead_relu_plot(const RunRecord& record) {
  const auto& layers = record.dead_relu_fraction;
  if (layers.empty()) return "";
  double label_width = 40;
  for (const auto& [name, fraction] : layers)
    label_width = std::max(label_width, std::min(170.0, text_width(name, 11)));
  const double row = 22, top = 34;
  const Box box{label_width + 18, top, kWidth - label_width - 18 - 56,
                row * static_cast<double>(layers.size())};
  Svg svg("dead-relu", kWidth, std::max(150.0, top + box.height + 44), "Dead ReLU units");
  for (int tick = 0; tick <= 4; ++tick) {
    const double x = box.x + box.width * tick / 4.0;
    svg.line(x, box.y, x, box.y + box.height, "stroke=\"#e6e6e6\"");
    svg.text(x, box.y + box.height + 15, std::to_string(tick * 25) + "%",
             "font-size=\"11\" fill=\"#555\" text-anchor=\"middle\"");
  }
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& [name, fraction] = layers[i];
    const double y = box.y + row * static_cast<double>(i);
    svg.text(box.x - 8, y + row / 2 + 4, fit_text(name, 170, 11),
             "font-size=\"11\" text-anchor=\"end\"");
    if (!std::isfinite(fraction)) {
      svg.text(box.x + 4, y + row / 2 + 4, "not measured", "font-size=\"11\" fill=\"#999\"");
      continue;
    }
    const double f = std::clamp(fraction, 0.0, 1.0);
    // Red where half the layer is dead, amber past a tenth: the notes' warning signs.
    const std::string colour = f > 0.5 ? "#d62728" : f > 0.1 ? "#f0a030" : "#4c9a5f";
    svg.rect(box.x, y + 4, std::max(1.0, box.width * f), row - 8, "fill=\"" + colour + "\"");
    svg.text(box.x + box.width * f + 5, y + row / 2 + 4, format_number(100 * fraction, 3) + "%",
             "font-size=\"11\" fill=\"#333\"");
  }
  svg.line(box.x, box.y, box.x, box.y + box.height, "stroke=\"#999\"");
  svg.text(box.x + box.width / 2, box.y + box.height + 32, "share of units that never fired",
           "font-size=\"12\" text-anchor=\"middle\"");
  return figure(svg.str(),
                "Share of each ReLU layer's units that never fired (output zero for every "
                "input) in the latest epoch. A large dead share wastes capacity: lower the "
                "learning rate or check the initialisation.");
}

}  // namespace nabla::report
