// The search space of `nabla tune`: the [[tune.params]] tables of a run config, checked, and the
// points drawn from it (random, grid) and narrowed round by round (coarse to fine).
//
// Each parameter has a scale, as the notes' table gives them:
//   log      learning rate, weight decay: uniform in log10 between min > 0 and max
//   log1m    momentum: uniform in log10(1 - x), so 0.9..0.99 gets as many trials as 0.99..0.999
//   linear   dropout: uniform between min and max
//   int      batch size, layers, hidden units: uniform integers in [min, max]
//   choice   `values = [..]` (numbers) or `choices = [..]` (strings, or TOML text such as
//            "[256, 128]" for an array key), each equally likely
// A key holding integers rounds any scale's values (a batch size may be searched on a log scale).
// Drawn numbers are rounded to 4 significant digits, so tables, --set and best.toml agree exactly.
//
// The key is a config key (optimizer.lr), an element of an array key (model.hidden[0]) or a field
// of the tables of a list key: model.layers[1].out_features, or model.layers[*].p for every table
// that sets p (one dropout rate for all layers, as the notes advise). A numeric scale on a whole
// array key (model.hidden) sets every element.
//
//   [[tune.params]]
//   key = "optimizer.lr"
//   scale = "log"
//   min = 1e-4
//   max = 1.0
//
//   auto config = run::Config::from_file("examples/tune_mlp.toml");
//   tune::SearchSpace space = tune::parse_space(config);   // Error naming the table and the fix
//   RandomStream rng(seed, /*stream=*/round);
//   tune::Point p = tune::sample_point(space, rng);
//   std::vector<std::string> sets = tune::overrides(config, space, p);  // for nabla train --set
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nabla/random.hpp"
#include "nabla/run/config.hpp"

namespace nabla::tune {

enum class Scale { log, log1m, linear, integer, choice };
const char* scale_name(Scale scale);

// Where a value goes: `key` is a schema key; index -1 is the whole key, kEveryTable is "[*]".
struct KeyPath {
  static constexpr int64_t kWhole = -1;
  static constexpr int64_t kEveryTable = -2;
  std::string key;
  int64_t index = kWhole;
  std::string field;  // list-of-tables keys only
};

struct Param {
  std::string name{};  // the key as written: "model.layers[1].out_features"
  KeyPath path{};
  Scale scale = Scale::linear;
  double min = 0.0, max = 0.0;        // numeric scales
  std::vector<double> values{};       // grid points (numeric scales) or numeric choices
  std::vector<std::string> choices{}; // TOML texts of the choices ("\"adam\"", "[256, 128]")
  int64_t points = 3;                 // grid: points between min and max
  bool integer = false;               // the key holds integers: values are rounded
  bool whole_array = false;           // a numeric scale on an array key: every element
  std::string where{};                // "examples/tune_mlp.toml:40"
  bool numeric() const { return scale != Scale::choice; }
};

// One value as the TOML text --set receives ("0.0123", "128", "\"adam\"", "[256, 128]").
struct Value {
  std::string toml;
  double number() const;      // the number it holds; NaN for text, arrays, booleans
  std::string label() const;  // for tables: strings without their quotes
};
using Point = std::vector<Value>;  // one per Param, in the space's order

struct SearchSpace {
  std::vector<Param> params;
  size_t index_of(const std::string& name) const;  // params.size() when absent
};

// Checks every table (known key of a usable kind, a scale that fits, min < max, 0 < min for log,
// max < 1 for log1m, values or choices for choice, no key twice) against the schema and the
// config's own lists. Errors name the table's number, where it is and the fix.
SearchSpace parse_space(const run::Config& config);

// Tries each parameter's extremes and choices on the config through `load` (which builds a
// Config with extra --set overrides), so a value of the wrong type is an error before any trial.
void check_values(const SearchSpace& space, const run::Config& base,
                  const std::function<run::Config(const std::vector<std::string>&)>& load);

// The config's own values of the parameters (trial 0, the default); text "(default)" where a
// table does not set the field.
Point base_point(const run::Config& config, const SearchSpace& space);
// The --set overrides that give `point` (one per key: a list key gets its whole new array).
std::vector<std::string> overrides(const run::Config& config, const SearchSpace& space,
                                   const Point& point);

// Scale transforms: the axis a parameter is uniform on (log10 x, log10(1 - x), x).
double to_axis(const Param& param, double x);
double from_axis(const Param& param, double axis);
// x rounded for the parameter (an integer key or scale: nearest integer; else 4 significant
// digits) as a Value.
Value make_value(const Param& param, double x);

// One point: each parameter drawn from `rng` in order.
Point sample_point(const SearchSpace& space, RandomStream& rng);
// The cartesian product of each parameter's grid points (its `values`, its choices, or `points`
// evenly spaced on its axis), the first parameter varying slowest.
std::vector<Point> grid(const SearchSpace& space);
size_t grid_size(const SearchSpace& space);

// The next round's space: each numeric range becomes the span of `best`'s values on its axis,
// widened by a quarter of that span each side (at least a tenth of the original axis), clipped
// to `original`; choices keep those that appear in `best`. Grid points become `points` evenly
// spaced in the new range.
SearchSpace refine(const SearchSpace& original, const std::vector<Point>& best);

}  // namespace nabla::tune

#pragma GCC visibility pop
