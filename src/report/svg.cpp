#include "report/svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <unordered_set>

namespace nabla::report {

// Pixel coordinates with one decimal, "12" rather than "12.0": keeps the markup short.
std::string format_pixel(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", value);
  std::string text = buffer;
  if (text.size() > 2 && text.compare(text.size() - 2, 2, ".0") == 0) text.resize(text.size() - 2);
  if (text == "-0") text = "0";
  return text;
}

namespace {

std::string pixel(double value) { return format_pixel(value); }

// 1, 2 or 5 times a power of ten, the nearest to `raw`.
double nice_step(double raw) {
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  const double fraction = raw / power;
  const double nice = fraction < 1.5 ? 1.0 : fraction < 3.5 ? 2.0 : fraction < 7.5 ? 5.0 : 10.0;
  return nice * power;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string format_number(double value, int significant) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.*g", std::clamp(significant, 1, 17), value);
  std::string text = buffer;
  // "1.5e+06" → "1.5e6", "2e-05" → "2e-5".
  const size_t e = text.find('e');
  if (e != std::string::npos) {
    std::string mantissa = text.substr(0, e);
    const int exponent = std::atoi(text.c_str() + e + 1);
    text = mantissa + "e" + std::to_string(exponent);
  }
  if (text == "-0") text = "0";
  return text;
}

std::string palette(size_t index) {
  static const std::array<const char*, 10> colours = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                      "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
                                                      "#bcbd22", "#17becf"};
  if (index < colours.size()) return colours[index];
  // Golden-angle hues stay apart for any number of classes; HSL(h, 55%, 45%) → RGB.
  const double hue = std::fmod(static_cast<double>(index) * 137.508, 360.0);
  const double s = 0.55, l = 0.45;
  const double c = (1 - std::abs(2 * l - 1)) * s;
  const double x = c * (1 - std::abs(std::fmod(hue / 60.0, 2.0) - 1));
  const double m = l - c / 2;
  double r = 0, g = 0, b = 0;
  const int sector = static_cast<int>(hue / 60.0) % 6;
  const std::array<std::array<double, 3>, 6> table = {
      {{c, x, 0}, {x, c, 0}, {0, c, x}, {0, x, c}, {x, 0, c}, {c, 0, x}}};
  r = table[sector][0], g = table[sector][1], b = table[sector][2];
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", static_cast<int>((r + m) * 255 + 0.5),
                static_cast<int>((g + m) * 255 + 0.5), static_cast<int>((b + m) * 255 + 0.5));
  return buffer;
}

std::string lighten(const std::string& colour, double amount) {
  if (colour.size() != 7 || colour[0] != '#') return colour;
  const long rgb = std::strtol(colour.c_str() + 1, nullptr, 16);
  auto mix = [&](int shift) {
    const double channel = static_cast<double>((rgb >> shift) & 0xff);
    return static_cast<int>(channel + (255.0 - channel) * std::clamp(amount, 0.0, 1.0) + 0.5);
  };
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", mix(16), mix(8), mix(0));
  return buffer;
}

void Extent::add(double value, bool positive_only) {
  if (!std::isfinite(value) || (positive_only && value <= 0)) return;
  if (!any) {
    low = high = value;
    any = true;
  } else {
    low = std::min(low, value);
    high = std::max(high, value);
  }
}

void Extent::add(const std::vector<double>& values, bool positive_only) {
  for (double v : values) add(v, positive_only);
}

std::string Axis::label(double tick) const {
  if (log) {
    // Plain numbers on an axis within 0.001 .. 10000, else every tick as "2e-5" alike.
    if (low >= 1e-3 && high <= 1e4) return format_number(tick, 2);
    const int exponent = static_cast<int>(std::floor(std::log10(tick) + 1e-9));
    const long mantissa = std::lround(tick / std::pow(10.0, exponent));
    return std::to_string(mantissa) + "e" + std::to_string(exponent);
  }
  if (std::abs(tick) < step * 1e-6) return "0";
  // Enough digits to tell neighbouring ticks apart, and never scientific below a million.
  const double largest = std::max(std::abs(low), std::abs(high));
  const int magnitude = static_cast<int>(std::floor(std::log10(largest)));
  const int step_magnitude = static_cast<int>(std::floor(std::log10(step)));
  int digits = magnitude - step_magnitude + 1;
  if (largest < 1e6) digits = std::max(digits, magnitude + 1);
  return format_number(tick, std::clamp(digits, 1, 12));
}

Axis linear_axis(double low, double high, int target, bool nice_bounds, double min_step) {
  if (!std::isfinite(low) || !std::isfinite(high)) low = 0, high = 1;
  if (high < low) std::swap(low, high);
  if (high - low <= 1e-12 * std::max(1.0, std::abs(low))) {
    const double pad = low == 0 ? 1.0 : std::abs(low) * 0.1;
    low -= pad;
    high += pad;
  }
  Axis axis;
  axis.step = std::max(nice_step((high - low) / std::max(1, target - 1)), min_step);
  axis.low = nice_bounds ? std::floor(low / axis.step + 1e-9) * axis.step : low;
  axis.high = nice_bounds ? std::ceil(high / axis.step - 1e-9) * axis.step : high;
  const auto first = static_cast<long long>(std::ceil(axis.low / axis.step - 1e-9));
  const auto last = static_cast<long long>(std::floor(axis.high / axis.step + 1e-9));
  for (long long k = first; k <= last; ++k)
    axis.ticks.push_back(static_cast<double>(k) * axis.step);
  return axis;
}

Axis log_axis(double low, double high) {
  if (!(low > 0) || !std::isfinite(low)) low = 0.1;
  if (!(high > 0) || !std::isfinite(high)) high = 1;
  if (high < low) std::swap(low, high);
  int first = static_cast<int>(std::floor(std::log10(low) + 1e-9));
  int last = static_cast<int>(std::ceil(std::log10(high) - 1e-9));
  if (first == last) --first, ++last;
  // Many decades: label every k-th one, and end the axis on a labelled decade.
  const int every = std::max(1, (last - first + 7) / 8);
  last = first + (last - first + every - 1) / every * every;
  const int decades = last - first;
  Axis axis;
  axis.log = true;
  axis.low = std::pow(10.0, first);
  axis.high = std::pow(10.0, last);
  for (int e = first; e <= last; e += every) {
    const double power = std::pow(10.0, e);
    axis.ticks.push_back(power);
    if (decades <= 2 && e < last) {
      axis.ticks.push_back(2 * power);
      axis.ticks.push_back(5 * power);
    }
  }
  return axis;
}

Axis axis_for(const Extent& extent, bool log, double min_step) {
  if (log) return extent.any ? log_axis(extent.low, extent.high) : log_axis(0.1, 1);
  return extent.any ? linear_axis(extent.low, extent.high, 6, true, min_step)
                    : linear_axis(0, 1, 6, true, min_step);
}

double text_width(std::string_view text, double font_px) {
  size_t characters = 0;
  for (unsigned char c : text)
    if ((c & 0xc0) != 0x80) ++characters;  // count UTF-8 code points, not bytes
  return static_cast<double>(characters) * font_px * 0.6;
}

std::string fit_text(std::string_view text, double width, double font_px) {
  if (text_width(text, font_px) <= width) return std::string(text);
  const double room = std::max(0.0, width - text_width("…", font_px));
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t next = i + 1;  // keep UTF-8 sequences whole
    while (next < text.size() && (static_cast<unsigned char>(text[next]) & 0xc0) == 0x80) ++next;
    if (text_width(std::string_view(text).substr(0, next), font_px) > room) break;
    out.append(text.substr(i, next - i));
    i = next;
  }
  return out + "…";
}

Svg::Svg(std::string id, double width, double height, std::string title)
    : id_(std::move(id)), title_(std::move(title)), width_(width), height_(height) {
  text(10, 18, title_, "class=\"title\" font-size=\"14\" font-weight=\"600\"");
}

void Svg::text(double x, double y, std::string_view content, std::string_view attrs) {
  body_ += "<text x=\"" + pixel(x) + "\" y=\"" + pixel(y) + "\"";
  if (!attrs.empty()) body_.append(" ").append(attrs);
  body_.append(">").append(escape(content)).append("</text>");
}

void Svg::line(double x1, double y1, double x2, double y2, std::string_view attrs) {
  body_ += "<line x1=\"" + pixel(x1) + "\" y1=\"" + pixel(y1) + "\" x2=\"" + pixel(x2) +
           "\" y2=\"" + pixel(y2) + "\" " + std::string(attrs) + "/>";
}

void Svg::rect(double x, double y, double width, double height, std::string_view attrs) {
  body_ += "<rect x=\"" + pixel(x) + "\" y=\"" + pixel(y) + "\" width=\"" + pixel(width) +
           "\" height=\"" + pixel(height) + "\" " + std::string(attrs) + "/>";
}

void Svg::circle(double x, double y, double radius, std::string_view attrs) {
  body_ += "<circle cx=\"" + pixel(x) + "\" cy=\"" + pixel(y) + "\" r=\"" + pixel(radius) + "\" " +
           std::string(attrs) + "/>";
}

double Svg::legend(double x, double y, double max_width,
                   const std::vector<std::pair<std::string, std::string>>& name_colour) {
  if (name_colour.empty()) return 0;
  // One row when everything fits; otherwise columns of the widest entry, so long lists of
  // parameter names line up.
  const double row_height = 16, swatch = 22, gap = 14;
  double widest = 0, total = 0;
  for (const auto& entry : name_colour) {
    const double width = swatch + text_width(entry.first, 11) + gap;
    widest = std::max(widest, width);
    total += width;
  }
  const bool one_row = total <= max_width;
  const double column = std::min(widest, max_width);
  const size_t columns = std::max<size_t>(1, static_cast<size_t>(max_width / column));
  double cx = x, cy = y;
  for (size_t i = 0; i < name_colour.size(); ++i) {
    const auto& [name, colour] = name_colour[i];
    if (!one_row && i > 0 && i % columns == 0) cx = x, cy += row_height;
    line(cx, cy - 4, cx + 16, cy - 4, "stroke=\"" + colour + "\" stroke-width=\"3\"");
    text(cx + 20, cy, fit_text(name, column - swatch - 4, 11), "font-size=\"11\"");
    cx += one_row ? swatch + text_width(name, 11) + gap : column;
  }
  return cy - y + row_height;
}

std::string Svg::str() const {
  const std::string w = pixel(width_), h = pixel(height_);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"plot\" id=\"" + escape(id_) +
         "\" width=\"" + w + "\" height=\"" + h + "\" viewBox=\"0 0 " + w + " " + h +
         "\" role=\"img\" aria-label=\"" + escape(title_) + "\"><title>" + escape(title_) +
         "</title>" + body_ + "</svg>";
}

Chart::Chart(Svg& svg, Box box, Axis x, Axis y)
    : svg_(svg), box_(box), x_(std::move(x)), y_(std::move(y)) {}

double Chart::px(double x) const {
  const double t =
      x_.log ? (std::log10(x) - std::log10(x_.low)) / (std::log10(x_.high) - std::log10(x_.low))
             : (x - x_.low) / (x_.high - x_.low);
  return box_.x + t * box_.width;
}

double Chart::py(double y) const {
  const double t =
      y_.log ? (std::log10(y) - std::log10(y_.low)) / (std::log10(y_.high) - std::log10(y_.low))
             : (y - y_.low) / (y_.high - y_.low);
  return box_.y + (1 - t) * box_.height;
}

bool Chart::drawable(double x, double y) const {
  return std::isfinite(x) && std::isfinite(y) && (!x_.log || x > 0) && (!y_.log || y > 0);
}

void Chart::draw_axes(std::string_view x_label, std::string_view y_label) {
  const double bottom = box_.y + box_.height, right = box_.x + box_.width;
  const std::string grid = "stroke=\"#e6e6e6\" stroke-width=\"1\"";
  const std::string tick_text = "font-size=\"11\" fill=\"#555\"";
  for (double t : y_.ticks) {
    const double y = py(t);
    svg_.line(box_.x, y, right, y, grid);
    svg_.text(box_.x - 6, y + 4, y_.label(t), tick_text + " text-anchor=\"end\"");
  }
  for (double t : x_.ticks) {
    const double x = px(t);
    svg_.line(x, box_.y, x, bottom, grid);
    svg_.text(x, bottom + 15, x_.label(t), tick_text + " text-anchor=\"middle\"");
  }
  svg_.rect(box_.x, box_.y, box_.width, box_.height, "fill=\"none\" stroke=\"#999\"");
  svg_.text(box_.x + box_.width / 2, bottom + 32, x_label,
            "font-size=\"12\" text-anchor=\"middle\"");
  const double middle = box_.y + box_.height / 2;
  svg_.text(14, middle, y_label,
            "font-size=\"12\" text-anchor=\"middle\" transform=\"rotate(-90 14 " +
                std::to_string(static_cast<int>(middle)) + ")\"");
}

int Chart::polyline(const std::vector<double>& x, const std::vector<double>& y,
                    const std::string& colour, double width, std::string_view attrs) {
  const size_t n = std::min(x.size(), y.size());
  int skipped = 0;
  // Pixel positions of the current unbroken run. Points closer than half a pixel to the last
  // kept one add nothing visible, so thousands of steps stay a few hundred vertices.
  std::vector<std::pair<double, double>> segment;
  std::pair<double, double> last_seen;
  std::string style = "stroke=\"" + colour + "\" stroke-width=\"" + pixel(width) + "\"";
  if (!attrs.empty()) style.append(" ").append(attrs);
  auto flush = [&] {
    if (!segment.empty() && segment.back() != last_seen) segment.push_back(last_seen);
    if (segment.size() == 1) {
      // A lone value between gaps would vanish as a one-point line: show it as a dot.
      svg_.raw("<path d=\"M" + pixel(segment[0].first) + " " + pixel(segment[0].second) +
               "h0\" fill=\"none\" stroke-linecap=\"round\" " + style + "/>");
    } else if (segment.size() > 1) {
      std::string points;
      for (const auto& [px, py] : segment)
        points.append(points.empty() ? "" : " ").append(pixel(px)).append(",").append(pixel(py));
      svg_.raw("<polyline points=\"" + points + "\" fill=\"none\" stroke-linejoin=\"round\" " +
               style + "/>");
    }
    segment.clear();
  };
  for (size_t i = 0; i < n; ++i) {
    if (!drawable(x[i], y[i])) {
      ++skipped;
      flush();
      continue;
    }
    last_seen = {px(x[i]), py(y[i])};
    if (segment.empty() || std::abs(last_seen.first - segment.back().first) >= 0.5 ||
        std::abs(last_seen.second - segment.back().second) >= 0.5)
      segment.push_back(last_seen);
  }
  flush();
  return skipped;
}

int Chart::points(const std::vector<double>& x, const std::vector<double>& y,
                  const std::string& colour, double radius, double opacity) {
  // One path of zero-length round-capped segments: a dot per point at a fraction of the bytes
  // of one <circle> each. A long run logs many thousands of steps; dots that land on the same
  // half pixel are drawn once, which bounds the size by the plot's area, not the run's length.
  const size_t n = std::min(x.size(), y.size());
  int skipped = 0;
  std::string d;
  std::unordered_set<int64_t> seen;
  for (size_t i = 0; i < n; ++i) {
    if (!drawable(x[i], y[i])) {
      ++skipped;
      continue;
    }
    const double cx = px(x[i]), cy = py(y[i]);
    const auto key = static_cast<int64_t>(std::lround(cx * 2)) * 1000000 + std::lround(cy * 2);
    if (!seen.insert(key).second) continue;
    d.append("M").append(pixel(cx)).append(" ").append(pixel(cy)).append("h0");
  }
  if (!d.empty())
    svg_.raw("<path d=\"" + d + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"" +
             pixel(2 * radius) + "\" stroke-linecap=\"round\" stroke-opacity=\"" +
             format_number(opacity, 3) + "\"/>");
  return skipped;
}

void Chart::guide(double y, const std::string& colour, std::string_view label) {
  if (!std::isfinite(y) || (y_.log && y <= 0)) return;
  if (y < std::min(y_.low, y_.high) || y > std::max(y_.low, y_.high)) return;
  const double at = py(y);
  svg_.line(box_.x, at, box_.x + box_.width, at,
            "stroke=\"" + colour + "\" stroke-width=\"1.2\" stroke-dasharray=\"6 4\"");
  svg_.text(box_.x + box_.width - 4, at - 4, label,
            "font-size=\"10\" fill=\"" + colour + "\" text-anchor=\"end\"");
}

}  // namespace nabla::report
