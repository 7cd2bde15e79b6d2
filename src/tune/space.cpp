// Parsing and checking the [[tune.params]] tables (the search space). Every problem is an Error
// naming the table by its number and place, the key, and the fix, raised before any trial runs.
#include "nabla/tune/space.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <toml++/toml.h>

#include "core/parse_integer.hpp"
#include "run/schema.hpp"
#include "tune/toml_text.hpp"

namespace nabla::tune {

namespace {

using run::ValueKind;

// What one [[tune.params]] table is while being read: for the messages.
struct TableRef {
  const run::ConfigTable& table;
  size_t number;  // 1-based, as a person counts the tables
  std::string key;
};

[[noreturn]] void fail(const TableRef& ref, const std::string& problem) {
  NABLA_FAIL("config: [[tune.params]] number ", ref.number, " (", ref.table.where, ")",
             ref.key.empty() ? "" : ", key '" + ref.key + "'", ": ", problem);
}

std::vector<double> numbers_of(const TableRef& ref, const std::string& field) {
  std::vector<double> out;
  if (!ref.table.has(field)) return out;
  const toml::table holder = toml::parse("v = " + ref.table.values.at(field));
  for (const toml::node& n : *holder["v"].as_array())
    out.push_back(n.is_integer() ? static_cast<double>(n.as_integer()->get())
                                 : n.as_floating_point()->get());
  return out;
}

std::vector<std::string> texts_of(const TableRef& ref, const std::string& field) {
  std::vector<std::string> out;
  if (!ref.table.has(field)) return out;
  const toml::table holder = toml::parse("v = " + ref.table.values.at(field));
  for (const toml::node& n : *holder["v"].as_array()) out.push_back(n.as_string()->get());
  return out;
}

// "model.layers[1].out_features" → {model.layers, 1, out_features}.
KeyPath split_key(const TableRef& ref, const std::string& name) {
  KeyPath path;
  const size_t open = name.find('[');
  path.key = name.substr(0, open);
  if (open == std::string::npos) return path;
  const size_t close = name.find(']', open);
  const std::string index = close == std::string::npos ? "" : name.substr(open + 1, close - open - 1);
  const std::string rest = close == std::string::npos ? "" : name.substr(close + 1);
  const std::optional<int64_t> number = detail::parse_int64(index);
  const bool digits = number && *number >= 0 && index[0] != '-';
  if ((!digits && index != "*") || (!rest.empty() && (rest.size() < 2 || rest[0] != '.')))
    fail(ref, "cannot read the key; write key, key[2] (an array's element), key[2].field or "
              "key[*].field (a field of a list of tables), e.g. model.layers[1].out_features");
  path.index = digits ? *number : KeyPath::kEveryTable;
  if (!rest.empty()) path.field = rest.substr(1);
  return path;
}

std::vector<std::string> schema_names() {
  std::vector<std::string> names;
  for (const run::KeySpec& spec : run::schema()) names.emplace_back(spec.key);
  return names;
}

size_t array_length(const run::Config& config, const std::string& key, ValueKind kind) {
  if (kind == ValueKind::integers) return config.integers(key).size();
  if (kind == ValueKind::numbers) return config.numbers(key).size();
  return config.texts(key).size();
}

ValueKind element_kind(ValueKind kind) {
  if (kind == ValueKind::integers) return ValueKind::integer;
  if (kind == ValueKind::numbers) return ValueKind::number;
  if (kind == ValueKind::texts) return ValueKind::text;
  return kind;
}

// The kind of value the path takes; checks it against the schema and the config's lists.
ValueKind resolve_kind(const TableRef& ref, const run::Config& config, const KeyPath& path) {
  const run::KeySpec* spec = run::find_key(path.key);
  if (spec == nullptr) {
    const std::string nearest = run::nearest_name(path.key, schema_names());
    fail(ref, "not a config key" + (nearest.empty() ? std::string("; `nabla train --help-config` lists them")
                                                    : "; did you mean '" + nearest + "'?"));
  }
  const std::string key = path.key;
  if (key.rfind("tune.", 0) == 0 || key == "train.threads" || key == "train.workers" ||
      key == "train.epochs")
    fail(ref, "is set by the search itself and cannot be searched (the epochs of a trial are "
              "tune.epochs; threads and workers follow tune.parallel)");
  const bool array = spec->kind == ValueKind::integers || spec->kind == ValueKind::numbers ||
                     spec->kind == ValueKind::texts;
  if (path.index == KeyPath::kWhole) {
    if (spec->kind == ValueKind::tables)
      fail(ref, key + " is a list of tables; name one field of one table or of all, e.g. " + key +
                    "[1].out_features or " + key + "[*].p");
    return spec->kind;
  }
  if (array) {
    if (!path.field.empty() || path.index == KeyPath::kEveryTable)
      fail(ref, key + " is an array of values; name one element, e.g. " + key + "[0]");
    const size_t length = array_length(config, key, spec->kind);
    if (static_cast<size_t>(path.index) >= length)
      fail(ref, key + " has " + std::to_string(length) + " elements in the config; the index must "
                "be below that");
    return element_kind(spec->kind);
  }
  if (spec->kind != ValueKind::tables) fail(ref, key + " is not an array or a list; drop the [..]");
  if (path.field.empty())
    fail(ref, "name a field of the table, e.g. " + key + "[" +
                  (path.index < 0 ? std::string("*") : std::to_string(path.index)) + "].out_features");
  const std::vector<run::KeySpec>& fields = run::table_schema(key);
  const auto field = std::find_if(fields.begin(), fields.end(),
                                  [&](const run::KeySpec& s) { return path.field == s.key; });
  if (field == fields.end()) {
    std::vector<std::string> names;
    for (const run::KeySpec& s : fields) names.emplace_back(s.key);
    const std::string nearest = run::nearest_name(path.field, names);
    fail(ref, "'" + path.field + "' is not a field of " + key +
                  (nearest.empty() ? "" : "; did you mean '" + nearest + "'?"));
  }
  const std::vector<run::ConfigTable> tables = config.tables(key);
  if (path.index == KeyPath::kEveryTable) {
    if (std::none_of(tables.begin(), tables.end(), [&](const auto& t) { return t.has(path.field); }))
      fail(ref, "no table of " + key + " sets " + path.field + "; [*] changes the tables that do");
  } else if (static_cast<size_t>(path.index) >= tables.size()) {
    fail(ref, key + " has " + std::to_string(tables.size()) + " tables in the config (counted "
              "from 0); the index must be below that");
  }
  return field->kind;
}

Scale read_scale(const TableRef& ref) {
  if (!ref.table.has("scale"))
    fail(ref, "needs scale = \"log\" | \"log1m\" | \"linear\" | \"int\" | \"choice\"");
  const std::string name = ref.table.text("scale", "");
  for (Scale scale : {Scale::log, Scale::log1m, Scale::linear, Scale::integer, Scale::choice})
    if (name == scale_name(scale)) return scale;
  const std::string nearest = run::nearest_name(name, {"log", "log1m", "linear", "int", "choice"});
  fail(ref, "scale '" + name + "' is not one of log, log1m, linear, int, choice" +
                (nearest.empty() ? "" : "; did you mean '" + nearest + "'?"));
}

void read_choices(const TableRef& ref, Param& param, ValueKind kind) {
  const std::vector<std::string> texts = texts_of(ref, "choices");
  if (param.values.empty() == texts.empty())
    fail(ref, "a choice needs either values = [numbers] or choices = [strings], e.g. choices = "
              "[\"sgd\", \"adam\"]");
  if (kind == ValueKind::text && !param.values.empty())
    fail(ref, "the key holds text; give choices = [\"a\", \"b\"]");
  for (const std::string& text : texts)
    param.choices.push_back(kind == ValueKind::text ? toml_quote(text) : text);
  for (double v : param.values)
    if (param.integer && v != std::round(v))
      fail(ref, "the key holds integers but values has " + format_shortest(v));
}

void read_range(const TableRef& ref, Param& param, ValueKind kind) {
  const bool numeric_kind = kind == ValueKind::integer || kind == ValueKind::number ||
                            kind == ValueKind::integers || kind == ValueKind::numbers;
  if (!numeric_kind)
    fail(ref, std::string("the key holds ") + run::kind_name(kind) + "; search it with scale = "
              "\"choice\" and choices = [..]");
  if (ref.table.has("choices")) fail(ref, "choices belong to scale = \"choice\"");
  const bool from_values = !param.values.empty();
  if ((!ref.table.has("min") || !ref.table.has("max")) && !from_values)
    fail(ref, std::string("scale ") + scale_name(param.scale) + " needs min and max, e.g. min = " +
                  (param.scale == Scale::log ? "1e-4, max = 1.0" : "0.0, max = 0.5"));
  const auto [low, high] = std::minmax_element(param.values.begin(), param.values.end());
  param.min = ref.table.number("min", from_values ? *low : 0.0);
  param.max = ref.table.number("max", from_values ? *high : 0.0);
  if (param.scale == Scale::integer) param.min = std::ceil(param.min), param.max = std::floor(param.max);
  if (!(param.min < param.max) && !(from_values && param.min == param.max))
    fail(ref, "needs min < max, got min = " + format_shortest(param.min) + ", max = " +
                  format_shortest(param.max));
  if (param.scale == Scale::log && param.min <= 0)
    fail(ref, "a log scale needs 0 < min, got min = " + format_shortest(param.min) +
                  "; start at a small positive value such as 1e-6");
  if (param.scale == Scale::log1m && param.max >= 1)
    fail(ref, "a log1m scale needs max < 1, got max = " + format_shortest(param.max) +
                  "; e.g. momentum from 0.5 to 0.999");
  for (double v : param.values)
    if (v < param.min || v > param.max)
      fail(ref, "values holds " + format_shortest(v) + ", outside [min, max] = [" +
                    format_shortest(param.min) + ", " + format_shortest(param.max) + "]");
  param.points = ref.table.integer("points", 3);
  if (param.points < 1) fail(ref, "points must be >= 1, got " + std::to_string(param.points));
}

Param parse_param(const run::Config& config, const run::ConfigTable& table, size_t number) {
  TableRef ref{table, number, ""};
  if (!table.has("key")) fail(ref, "needs key = \"section.name\", e.g. key = \"optimizer.lr\"");
  Param param;
  param.name = ref.key = table.text("key", "");
  param.where = table.where;
  param.path = split_key(ref, param.name);
  const ValueKind kind = resolve_kind(ref, config, param.path);
  param.scale = read_scale(ref);
  param.integer = kind == ValueKind::integer || kind == ValueKind::integers;
  param.whole_array = param.numeric() && (kind == ValueKind::integers || kind == ValueKind::numbers);
  param.values = numbers_of(ref, "values");
  if (param.scale == Scale::choice)
    read_choices(ref, param, kind);
  else
    read_range(ref, param, kind);
  if (param.scale == Scale::integer || param.integer)
    for (double& v : param.values) v = std::round(v);
  return param;
}

}  // namespace

const char* scale_name(Scale scale) {
  switch (scale) {
    case Scale::log: return "log";
    case Scale::log1m: return "log1m";
    case Scale::linear: return "linear";
    case Scale::integer: return "int";
    case Scale::choice: return "choice";
  }
  return "?";
}

size_t SearchSpace::index_of(const std::string& name) const {
  for (size_t i = 0; i < params.size(); ++i)
    if (params[i].name == name) return i;
  return params.size();
}

SearchSpace parse_space(const run::Config& config) {
  const std::vector<run::ConfigTable> tables = config.tables("tune.params");
  if (tables.empty())
    run::config_error(config, "tune.params",
                      "is empty: add one [[tune.params]] table per hyperparameter, e.g. "
                      "key = \"optimizer.lr\", scale = \"log\", min = 1e-4, max = 1.0");
  SearchSpace space;
  for (size_t i = 0; i < tables.size(); ++i) {
    Param param = parse_param(config, tables[i], i + 1);
    for (const Param& earlier : space.params) {
      const TableRef ref{tables[i], i + 1, param.name};
      if (earlier.name == param.name) fail(ref, "is searched twice; keep one table per key");
      const bool same_key = earlier.path.key == param.path.key;
      if (same_key && (earlier.path.index == KeyPath::kWhole) != (param.path.index == KeyPath::kWhole))
        fail(ref, "the whole of " + param.path.key + " and an element of it are both searched; "
                  "keep one");
    }
    space.params.push_back(std::move(param));
  }
  return space;
}

void check_values(const SearchSpace& space, const run::Config& base,
                  const std::function<run::Config(const std::vector<std::string>&)>& load) {
  for (size_t i = 0; i < space.params.size(); ++i) {
    const Param& param = space.params[i];
    SearchSpace single{{param}};
    std::vector<Value> candidates;
    for (const std::string& choice : param.choices) candidates.push_back({choice});
    for (double v : param.values) candidates.push_back(exact_value(param, v));
    if (param.numeric()) {
      candidates.push_back(make_value(param, param.min));
      candidates.push_back(make_value(param, param.max));
    }
    for (const Value& value : candidates) {
      try {
        load(overrides(base, single, {value}));
      } catch (const Error& error) {
        NABLA_FAIL("config: [[tune.params]] number ", i + 1, " (", param.where, "), key '",
                   param.name, "': the value ", value.toml, " does not fit the key: ",
                   error.message());
      }
    }
  }
}

}  // namespace nabla::tune
