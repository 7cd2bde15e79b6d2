// A tiny SVG plotting kit for report.html: text escaping, number formatting, "nice" axis ticks on
// linear and log-10 scales, and a Chart that maps data to pixels and draws axes, polylines,
// points and guide lines into an Svg. Everything is plain strings; no DOM, no scripts.
//
//   Svg svg("loss", 520, 300, "Loss");
//   Chart chart(svg, {60, 30, 440, 220}, linear_axis(0, 2.3), log_axis(1e-4, 1));
//   chart.draw_axes("epoch", "loss");
//   int skipped = chart.polyline(xs, ys, "#1f77b4");   // NaN/inf break the line, are counted
//   std::string markup = svg.str();
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace nabla::report {

// Escapes & < > " ' for HTML/XML text and attribute values.
std::string escape(std::string_view text);

// `value` with `significant` digits, without trailing zeros or "+": 0.00123, 1.5e+06 → "1.5e6".
// NaN and infinities print as "NaN", "inf", "-inf".
std::string format_number(double value, int significant = 3);

// A pixel coordinate with at most one decimal: "12", "12.5".
std::string format_pixel(double value);

// Categorical colour for class or series `index` (10 distinct colours, then generated hues).
std::string palette(size_t index);
// `colour` ("#rrggbb") mixed with white: amount 0 keeps it, 1 gives white.
std::string lighten(const std::string& colour, double amount);

// The finite (and, for log scales, positive) range of some values.
struct Extent {
  double low = 0.0, high = 0.0;
  bool any = false;
  void add(double value, bool positive_only = false);
  void add(const std::vector<double>& values, bool positive_only = false);
};

struct Axis {
  double low = 0.0, high = 1.0;  // the drawn range
  bool log = false;              // log-10 scale: low > 0
  std::vector<double> ticks;     // inside [low, high]
  double step = 0.0;             // linear tick spacing, for labels
  std::string label(double tick) const;
};

// Ticks at 1, 2 or 5 x 10^k, about `target` of them, at least `min_step` apart (1 for epochs,
// which have no halves). With nice_bounds the range grows to the outer ticks; without it the
// range is kept (a decision-boundary grid has exact bounds). An empty or zero-width range is
// widened so the axis still draws.
Axis linear_axis(double low, double high, int target = 6, bool nice_bounds = true,
                 double min_step = 0.0);
// Decades from 10^floor(log10 low) to 10^ceil(log10 high), with 2 and 5 in between when the range
// is short. low and high must be positive (callers pass Extent::add(.., true) results).
Axis log_axis(double low, double high);
// From an Extent: log_axis when `log`, else linear_axis (ticks at least min_step apart); an
// empty extent gives [0, 1] / [0.1, 1].
Axis axis_for(const Extent& extent, bool log, double min_step = 0.0);

// Estimated width in pixels of `text` at `font_px` in a sans-serif font (no layout engine here).
double text_width(std::string_view text, double font_px);
// `text` cut to about `width` pixels at `font_px`, ending in "…" when cut.
std::string fit_text(std::string_view text, double width, double font_px);

// One <svg class="plot" id=..> built element by element. Text given to these helpers is escaped;
// `attrs` are appended raw and must already be valid attribute markup.
class Svg {
 public:
  Svg(std::string id, double width, double height, std::string title);
  double width() const { return width_; }
  double height() const { return height_; }
  void set_height(double height) { height_ = height; }

  void raw(std::string_view markup) { body_ += markup; }
  void text(double x, double y, std::string_view text, std::string_view attrs = "");
  void line(double x1, double y1, double x2, double y2, std::string_view attrs);
  void rect(double x, double y, double width, double height, std::string_view attrs);
  void circle(double x, double y, double radius, std::string_view attrs);
  // Swatch + name entries laid out left to right, wrapping at max_width; returns the height used.
  double legend(double x, double y, double max_width,
                const std::vector<std::pair<std::string, std::string>>& name_colour);
  std::string str() const;

 private:
  std::string id_, title_, body_;
  double width_, height_;
};

// Pixel box of the plotting area inside an Svg.
struct Box {
  double x = 0, y = 0, width = 0, height = 0;
};

// An x/y chart: data coordinates → pixels through two axes, drawing into an Svg.
class Chart {
 public:
  Chart(Svg& svg, Box box, Axis x, Axis y);
  double px(double x) const;
  double py(double y) const;
  bool drawable(double x, double y) const;  // finite, and positive on a log axis
  const Box& box() const { return box_; }

  // Grid lines, tick marks and labels, frame, axis titles.
  void draw_axes(std::string_view x_label, std::string_view y_label);
  // Polyline through (x[i], y[i]); a point that cannot be drawn breaks the line. Returns how
  // many were skipped. `attrs` is extra attribute markup (stroke-dasharray=..).
  int polyline(const std::vector<double>& x, const std::vector<double>& y,
               const std::string& colour, double width = 1.5, std::string_view attrs = "");
  // Circles; returns how many were skipped.
  int points(const std::vector<double>& x, const std::vector<double>& y, const std::string& colour,
             double radius, double opacity = 1.0);
  // A dashed horizontal guide at y with a label at its right end (when y is inside the axis).
  void guide(double y, const std::string& colour, std::string_view label);

 private:
  Svg& svg_;
  Box box_;
  Axis x_, y_;
};

}  // namespace nabla::report
