// Values of the search space as TOML text: the default's values read from the config, and the
// --set overrides that put a point's values into it (a list key gets its whole new array, since
// --set cannot reach into [[model.layers]]).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <toml++/toml.h>

#include "run/schema.hpp"
#include "tune/toml_text.hpp"

namespace nabla::tune {

std::string format_shortest(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char text[40];
  for (int digits = 1; digits <= 17; ++digits) {
    std::snprintf(text, sizeof text, "%.*g", digits, value);
    if (std::strtod(text, nullptr) == value) break;
  }
  return text;
}

double Value::number() const {
  if (toml.empty()) return std::nan("");
  char* end = nullptr;
  const double x = std::strtod(toml.c_str(), &end);
  return end == toml.c_str() + toml.size() ? x : std::nan("");
}

std::string Value::label() const {
  if (toml.empty() || toml.front() != '"') return toml;
  try {
    const toml::table holder = toml::parse("v = " + toml);
    return std::string(holder["v"].value_or(std::string_view(toml)));
  } catch (const toml::parse_error&) {
    return toml;
  }
}

Value exact_value(const Param& param, double x) {
  if (param.integer || param.scale == Scale::integer)
    return {std::to_string(static_cast<long long>(std::llround(x)))};
  return {format_shortest(x)};
}

Value make_value(const Param& param, double x) {
  if (param.integer || param.scale == Scale::integer) return exact_value(param, x);
  // 4 significant digits; on a log1m axis, 4 digits of 1 - x (0.999937, not 0.9999).
  int digits = 4;
  if (param.scale == Scale::log1m && x < 1 && x > 0)
    digits += std::max(0, static_cast<int>(-std::floor(std::log10(1 - x))) - 1);
  char text[40];
  std::snprintf(text, sizeof text, "%.*g", digits, x);
  double rounded = std::strtod(text, nullptr);
  // Rounding must not leave the range (max = 0.99999 rounds to 1).
  if (param.min < param.max) rounded = std::min(std::max(rounded, param.min), param.max);
  return {format_shortest(rounded)};
}

namespace {

using run::ValueKind;

ValueKind kind_of(const std::string& key) { return run::find_key(key)->kind; }

// The config's array at `key` as TOML texts of its elements.
std::vector<std::string> element_texts(const run::Config& config, const std::string& key) {
  std::vector<std::string> out;
  const ValueKind kind = kind_of(key);
  if (kind == ValueKind::integers)
    for (int64_t v : config.integers(key)) out.push_back(std::to_string(v));
  if (kind == ValueKind::numbers)
    for (double v : config.numbers(key)) out.push_back(format_shortest(v));
  if (kind == ValueKind::texts)
    for (const std::string& v : config.texts(key)) out.push_back(toml_quote(v));
  return out;
}

std::string join(const std::vector<std::string>& parts, const char* open, const char* close) {
  std::string out = open;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out + close;
}

std::string whole_value(const run::Config& config, const std::string& key) {
  switch (kind_of(key)) {
    case ValueKind::integer: return std::to_string(config.integer(key));
    case ValueKind::number: return format_shortest(config.number(key));
    case ValueKind::text: return toml_quote(config.text(key));
    case ValueKind::boolean: return config.boolean(key) ? "true" : "false";
    default: return join(element_texts(config, key), "[", "]");
  }
}

std::string tables_text(const std::vector<run::ConfigTable>& tables) {
  std::vector<std::string> items;
  for (const run::ConfigTable& table : tables) {
    std::vector<std::string> fields;
    for (const auto& [name, text] : table.values) fields.push_back(name + " = " + text);
    items.push_back(join(fields, "{", "}"));
  }
  return join(items, "[", "]");
}

// The new value of one key given the point's values of the parameters on it.
std::string key_override(const run::Config& config, const SearchSpace& space, const Point& point,
                         const std::string& key) {
  const ValueKind kind = kind_of(key);
  if (kind == ValueKind::tables) {
    std::vector<run::ConfigTable> tables = config.tables(key);
    for (size_t i = 0; i < space.params.size(); ++i) {
      const KeyPath& path = space.params[i].path;
      if (path.key != key) continue;
      for (size_t t = 0; t < tables.size(); ++t)
        if (path.index == static_cast<int64_t>(t) ||
            (path.index == KeyPath::kEveryTable && tables[t].has(path.field)))
          tables[t].values[path.field] = point[i].toml;
    }
    return tables_text(tables);
  }
  std::vector<std::string> elements = element_texts(config, key);
  for (size_t i = 0; i < space.params.size(); ++i) {
    const Param& param = space.params[i];
    if (param.path.key != key) continue;
    if (param.path.index == KeyPath::kWhole && !param.whole_array) return point[i].toml;
    if (param.whole_array)
      for (std::string& element : elements) element = point[i].toml;
    else
      elements[static_cast<size_t>(param.path.index)] = point[i].toml;
  }
  return join(elements, "[", "]");
}

}  // namespace

Point base_point(const run::Config& config, const SearchSpace& space) {
  Point point;
  for (const Param& param : space.params) {
    const KeyPath& path = param.path;
    if (path.index == KeyPath::kWhole) {
      point.push_back({whole_value(config, path.key)});
    } else if (kind_of(path.key) != ValueKind::tables) {
      point.push_back({element_texts(config, path.key)[static_cast<size_t>(path.index)]});
    } else {
      Value value{"(default)"};
      const std::vector<run::ConfigTable> tables = config.tables(path.key);
      for (size_t t = 0; t < tables.size(); ++t)
        if ((path.index == static_cast<int64_t>(t) || path.index == KeyPath::kEveryTable) &&
            tables[t].has(path.field)) {
          // toml++ writes a float's every digit (0.20000000000000001): show the short form.
          value.toml = tables[t].values.at(path.field);
          if (std::isfinite(value.number()) && value.toml.find_first_of(".eE") != std::string::npos)
            value.toml = format_shortest(value.number());
          break;
        }
      point.push_back(value);
    }
  }
  return point;
}

std::vector<std::string> overrides(const run::Config& config, const SearchSpace& space,
                                   const Point& point) {
  NABLA_CHECK(point.size() == space.params.size(), "tune::overrides: a point of ", point.size(),
              " values for ", space.params.size(), " parameters");
  std::vector<std::string> keys, sets;
  for (const Param& param : space.params)
    if (std::find(keys.begin(), keys.end(), param.path.key) == keys.end())
      keys.push_back(param.path.key);
  for (const std::string& key : keys)
    sets.push_back(key + "=" + key_override(config, space, point, key));
  return sets;
}

}  // namespace nabla::tune
