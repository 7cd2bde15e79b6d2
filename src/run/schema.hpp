// The configuration schema: every key a run config may hold, with its type, default (as TOML
// text) and help. One list, so the checker, the defaults, `resolved_toml` and `nabla train
// --help-config` cannot disagree.
#pragma once

#include <limits>
#include <string>
#include <vector>

namespace nabla::run {

enum class ValueKind { boolean, integer, number, text, integers, numbers, texts, tables };

// The values a numeric key (or each element of a numeric array) may take; every number must also
// be finite. Bounds are inclusive unless marked open.
struct Range {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool low_open = false, high_open = false;

  bool contains(double value) const;
  std::string text() const;  // "[0, 1)", ">= 1", "> 0", "any"
};

inline constexpr double kUnbounded = std::numeric_limits<double>::infinity();
inline constexpr Range kAny{};
inline constexpr Range at_least(double low) { return {low, kUnbounded}; }
inline constexpr Range above(double low) { return {low, kUnbounded, true}; }
inline constexpr Range between(double low, double high) { return {low, high}; }
inline constexpr Range fraction_below_one() { return {0, 1, false, true}; }

struct KeySpec {
  const char* key;
  ValueKind kind;
  const char* default_toml;  // "" for table lists
  const char* help;
  Range range = kAny;  // numeric kinds only
};

const std::vector<KeySpec>& schema();
const KeySpec* find_key(const std::string& key);
// The keys a table of a list may hold ("model.layers" → type, out_features, ...).
const std::vector<KeySpec>& table_schema(const std::string& list_key);
const char* kind_name(ValueKind kind);
bool is_numeric(ValueKind kind);

}  // namespace nabla::run
