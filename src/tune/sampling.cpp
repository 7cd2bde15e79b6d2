// Drawing points from the search space: random (Bergstra and Bengio: every trial tries a new
// value of every parameter), grid (the cartesian product), and the coarse-to-fine narrowing of
// the ranges around the best trials between rounds.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "tune/toml_text.hpp"

namespace nabla::tune {

namespace {

// The axis range of a numeric parameter, low < high (log1m's axis runs backwards).
std::pair<double, double> axis_range(const Param& param) {
  const double a = to_axis(param, param.min), b = to_axis(param, param.max);
  return {std::min(a, b), std::max(a, b)};
}

bool on_domain(const Param& param, double x) {
  if (!std::isfinite(x)) return false;
  if (param.scale == Scale::log) return x > 0;
  if (param.scale == Scale::log1m) return x < 1;
  return true;
}

// x rounded to 4 significant digits, towards +inf when `up`, so a refined range's ends are short
// numbers (a grid's end points are then exactly the range's ends).
double round_digits(double x, bool up) {
  if (x == 0 || !std::isfinite(x)) return x;
  const double scale = std::pow(10.0, std::floor(std::log10(std::fabs(x))) - 3);
  const double r = (up ? std::ceil(x / scale - 1e-9) : std::floor(x / scale + 1e-9)) * scale;
  char text[40];
  std::snprintf(text, sizeof text, "%.4g", r);  // 0.01117, not 1117 * 1e-5 = 0.011170000000000001
  return std::strtod(text, nullptr);
}

// The ends of a refined range: integers for integer parameters; else 4 digits (of 1 - x on a
// log1m axis), rounded outwards.
std::pair<double, double> rounded_range(const Param& param, double a, double b) {
  if (param.integer || param.scale == Scale::integer) {
    const double middle = std::round((a + b) / 2);
    a = std::ceil(a - 1e-9), b = std::floor(b + 1e-9);
    return a > b ? std::make_pair(middle, middle) : std::make_pair(a, b);
  }
  if (param.scale == Scale::log1m) {
    // make_value writes 1 - y with the digits y has (0.9993699, not 0.99936990000000004).
    return {make_value(param, 1 - round_digits(1 - a, true)).number(),
            make_value(param, 1 - round_digits(1 - b, false)).number()};
  }
  return {round_digits(a, false), round_digits(b, true)};
}

std::vector<Value> grid_values(const Param& param) {
  std::vector<Value> out;
  for (const std::string& choice : param.choices) out.push_back({choice});
  for (double v : param.values) out.push_back(exact_value(param, v));
  if (!out.empty() || !param.numeric()) return out;
  const auto [low, high] = axis_range(param);
  for (int64_t i = 0; i < param.points; ++i) {
    const double t = param.points == 1 ? 0.5 : static_cast<double>(i) / (param.points - 1);
    const Value value = make_value(param, from_axis(param, low + t * (high - low)));
    // Rounding to integers can repeat a point; a grid lists it once.
    if (std::none_of(out.begin(), out.end(), [&](const Value& v) { return v.toml == value.toml; }))
      out.push_back(value);
  }
  return out;
}

}  // namespace

double to_axis(const Param& param, double x) {
  if (param.scale == Scale::log) return std::log10(x);
  if (param.scale == Scale::log1m) return std::log10(1.0 - x);
  return x;
}

double from_axis(const Param& param, double axis) {
  if (param.scale == Scale::log) return std::pow(10.0, axis);
  if (param.scale == Scale::log1m) return 1.0 - std::pow(10.0, axis);
  return axis;
}

Point sample_point(const SearchSpace& space, RandomStream& rng) {
  Point point;
  for (const Param& param : space.params) {
    if (!param.numeric()) {
      const uint64_t count = param.choices.empty() ? param.values.size() : param.choices.size();
      const uint64_t pick = rng.below(count);
      point.push_back(param.choices.empty() ? exact_value(param, param.values[pick])
                                            : Value{param.choices[pick]});
    } else if (param.scale == Scale::integer) {
      const uint64_t span = static_cast<uint64_t>(param.max - param.min) + 1;
      point.push_back(exact_value(param, param.min + static_cast<double>(rng.below(span))));
    } else {
      const auto [low, high] = axis_range(param);
      point.push_back(make_value(param, from_axis(param, rng.uniform(low, high))));
    }
  }
  return point;
}

size_t grid_size(const SearchSpace& space) {
  size_t size = 1;
  for (const Param& param : space.params) {
    size *= std::max<size_t>(1, grid_values(param).size());
    if (size > 1000000) return size;  // large enough to refuse; avoids overflow
  }
  return size;
}

std::vector<Point> grid(const SearchSpace& space) {
  std::vector<std::vector<Value>> axes;
  for (const Param& param : space.params) axes.push_back(grid_values(param));
  std::vector<Point> points{Point{}};
  for (const std::vector<Value>& axis : axes) {
    std::vector<Point> next;
    for (const Point& prefix : points)
      for (const Value& value : axis) {
        Point extended = prefix;
        extended.push_back(value);
        next.push_back(std::move(extended));
      }
    points = std::move(next);
  }
  return points;
}

SearchSpace refine(const SearchSpace& original, const std::vector<Point>& best) {
  SearchSpace next = original;
  for (size_t j = 0; j < next.params.size(); ++j) {
    Param& param = next.params[j];
    const Param& wide = original.params[j];
    if (!param.numeric()) {
      // Keep the choices some of the best trials made (all of them if none did).
      std::vector<std::string> kept_choices;
      std::vector<double> kept_values;
      for (const Point& p : best) {
        for (const std::string& c : wide.choices)
          if (p[j].toml == c && std::find(kept_choices.begin(), kept_choices.end(), c) == kept_choices.end())
            kept_choices.push_back(c);
        for (double v : wide.values)
          if (p[j].toml == exact_value(wide, v).toml &&
              std::find(kept_values.begin(), kept_values.end(), v) == kept_values.end())
            kept_values.push_back(v);
      }
      if (!kept_choices.empty() || !kept_values.empty())
        param.choices = kept_choices, param.values = kept_values;
      continue;
    }
    double low = INFINITY, high = -INFINITY;
    for (const Point& p : best) {
      const double x = p[j].number();
      if (!on_domain(wide, x)) continue;
      low = std::min(low, to_axis(wide, x));
      high = std::max(high, to_axis(wide, x));
    }
    if (low > high) continue;  // no best trial has a number here (a default left unset)
    const auto [wide_low, wide_high] = axis_range(wide);
    const double pad = std::max(0.25 * (high - low), 0.1 * (wide_high - wide_low));
    low = std::max(wide_low, low - pad);
    high = std::min(wide_high, high + pad);
    double a = from_axis(wide, low), b = from_axis(wide, high);
    if (a > b) std::swap(a, b);
    const auto [low_end, high_end] = rounded_range(wide, a, b);
    param.min = std::clamp(low_end, wide.min, wide.max);
    param.max = std::clamp(high_end, wide.min, wide.max);
    if (!param.values.empty()) param.points = static_cast<int64_t>(std::max<size_t>(2, param.values.size()));
    param.values.clear();
  }
  return next;
}

}  // namespace nabla::tune
