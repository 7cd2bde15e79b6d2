#include "nabla/run/config.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <fstream>
#include <optional>
#include <sstream>
#include <toml++/toml.h>

#include "run/schema.hpp"
#include "run/toml_input.hpp"
#include "run/toml_write.hpp"

namespace nabla::run {

namespace {

[[noreturn]] void fail(const std::string& message) { NABLA_FAIL("config: ", message); }

// One TOML value from text ("0.1", "[1, 2]", "\"adam\""); nullopt when it does not parse.
std::optional<toml::table> parse_value(const std::string& text) {
  const std::string document = "v = " + text;
  if (find_unsafe_toml(document)) return std::nullopt;
  try {
    return toml::parse(document);
  } catch (const toml::parse_error&) {
    return std::nullopt;
  }
}

double as_number(const toml::node& node) {
  return node.is_integer() ? static_cast<double>(node.as_integer()->get())
                           : node.as_floating_point()->get();
}

// "in [0, 1)", ">= 1", "a finite number": what a value outside `range` should have been.
std::string requirement(const Range& range) {
  const std::string text = range.text();
  if (text.front() == '[' || text.front() == '(') return "in " + text;
  return std::isfinite(range.low) || std::isfinite(range.high) ? text : "a finite number";
}

// Every number of a numeric `node` (one, or each element of an array) against `spec`'s range.
void check_range(const toml::node& node, const KeySpec& spec, const std::string& key,
                 const std::string& at) {
  if (!is_numeric(spec.kind)) return;
  auto check = [&](const toml::node& number) {
    if (spec.range.contains(as_number(number))) return;
    fail(key + " must be " + requirement(spec.range) + ", got " + toml_value(number) + " (" + at +
         "); " + key + ": " + spec.help);
  };
  if (const toml::array* array = node.as_array())
    for (const toml::node& element : *array) check(element);
  else
    check(node);
}

bool matches(const toml::node& node, ValueKind kind) {
  auto array_of = [&](auto&& test) {
    const toml::array* array = node.as_array();
    if (array == nullptr) return false;
    for (const toml::node& element : *array)
      if (!test(element)) return false;
    return true;
  };
  switch (kind) {
    case ValueKind::boolean: return node.is_boolean();
    case ValueKind::integer: return node.is_integer();
    case ValueKind::number: return node.is_number();
    case ValueKind::text: return node.is_string();
    case ValueKind::integers: return array_of([](const toml::node& n) { return n.is_integer(); });
    case ValueKind::numbers: return array_of([](const toml::node& n) { return n.is_number(); });
    case ValueKind::texts: return array_of([](const toml::node& n) { return n.is_string(); });
    case ValueKind::tables: return node.is_array() && (node.as_array()->empty() ||
                                                      node.is_array_of_tables());
  }
  return false;
}

std::string leaf(const std::string& key) {
  const size_t dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::vector<std::string> schema_names() {
  std::vector<std::string> names;
  for (const KeySpec& spec : schema()) names.emplace_back(spec.key);
  return names;
}

std::vector<std::string> names_of(const std::vector<KeySpec>& specs) {
  std::vector<std::string> names;
  for (const KeySpec& spec : specs) names.emplace_back(spec.key);
  return names;
}

std::string suggestion(const std::string& key, const std::vector<std::string>& candidates) {
  const std::string nearest = nearest_name(key, candidates);
  return nearest.empty() ? "; `nabla train --help-config` lists the valid keys"
                         : "; did you mean '" + nearest + "'?";
}

}  // namespace

std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates) {
  // Names other frameworks use for a key, too far in spelling for the edit distance below.
  static const std::map<std::string, std::string> kSynonyms = {
      {"learning_rate", "lr"}, {"num_epochs", "epochs"}, {"n_epochs", "epochs"},
      {"batchsize", "batch_size"}};
  if (const auto synonym = kSynonyms.find(leaf(name)); synonym != kSynonyms.end())
    for (const std::string& candidate : candidates)
      if (leaf(candidate) == synonym->second) return candidate;
  std::string best;
  size_t best_distance = std::max<size_t>(2, name.size() / 3) + 1;
  for (const std::string& candidate : candidates) {
    // A key put in the wrong section ("train.lr") is one step from the right one.
    size_t distance = edit_distance(name, candidate);
    if (leaf(name) == leaf(candidate)) distance = std::min<size_t>(distance, 1);
    distance = std::min(distance, edit_distance(leaf(name), leaf(candidate)) + 1);
    if (distance < best_distance) best_distance = distance, best = candidate;
  }
  return best;
}

struct Config::Impl {
  toml::table root;
  std::string source;
  std::map<std::string, std::string> overridden;  // key → "--set"

  std::string where_of(const std::string& key, const toml::node* node) const {
    if (overridden.count(key)) return "--set " + key;
    if (node != nullptr && node->source().begin.line > 0)
      return source + ":" + std::to_string(node->source().begin.line);
    return source;
  }

  void apply_override(const std::string& assignment);
  void check_table(const toml::table& table, const std::string& prefix) const;
  void check_list(const toml::array& array, const std::string& key) const;
  const toml::node* lookup(const std::string& key) const { return root.at_path(key).node(); }
};

void Config::Impl::apply_override(const std::string& assignment) {
  // config.toml must hold exactly what the run used, and TOML text is UTF-8.
  if (const auto problem = find_invalid_utf8(assignment))
    fail("--set '" + assignment + "': " + problem->what.substr(0, problem->what.find(';')) +
         " (at byte " + std::to_string(problem->column) + "); config values are UTF-8 text, so a "
         "path in another encoding cannot be stored in the run's config.toml: rename the file "
         "or use a UTF-8 path");
  const size_t equals = assignment.find('=');
  if (equals == std::string::npos || equals == 0)
    fail("--set '" + assignment + "': expected key=value, e.g. --set optimizer.lr=0.05");
  const std::string key = assignment.substr(0, equals);
  const std::string text = assignment.substr(equals + 1);
  std::optional<toml::table> parsed = parse_value(text);
  // A bare word (--set optimizer.name=adam) is a string.
  if (!parsed) parsed = toml::table{{"v", text}};
  toml::table* table = &root;
  std::string walked;
  std::istringstream parts(key);
  std::vector<std::string> names;
  for (std::string part; std::getline(parts, part, '.');) names.push_back(part);
  for (size_t i = 0; i + 1 < names.size(); ++i) {
    walked += (walked.empty() ? "" : ".") + names[i];
    toml::node* next = table->get(names[i]);
    if (next == nullptr) next = &table->insert_or_assign(names[i], toml::table{}).first->second;
    if (!next->is_table()) fail("--set " + key + ": '" + walked + "' is not a section");
    table = next->as_table();
  }
  table->insert_or_assign(names.back(), *(*parsed)["v"].node());
  overridden[key] = "--set";
}

void Config::Impl::check_list(const toml::array& array, const std::string& key) const {
  const std::vector<KeySpec>& specs = table_schema(key);
  for (const toml::node& element : array) {
    for (const auto& [name, value] : *element.as_table()) {
      const std::string field(name.str());
      const auto spec = std::find_if(specs.begin(), specs.end(),
                                     [&](const KeySpec& s) { return field == s.key; });
      const std::string at = where_of(key, &value);
      if (spec == specs.end())
        fail("unknown key '" + field + "' in " + key + " (" + at + ")" +
             suggestion(field, names_of(specs)));
      if (!matches(value, spec->kind))
        fail(key + "." + field + " must be " + kind_name(spec->kind) + ", got " +
             toml_value(value) + " (" + at + ")");
      check_range(value, *spec, key + "." + field, at);
    }
  }
}

void Config::Impl::check_table(const toml::table& table, const std::string& prefix) const {
  for (const auto& [name, node] : table) {
    const std::string key = prefix + std::string(name.str());
    const KeySpec* spec = find_key(key);
    if (spec == nullptr && node.is_table()) {
      const bool section = std::any_of(schema().begin(), schema().end(), [&](const KeySpec& s) {
        return std::string(s.key).rfind(key + ".", 0) == 0;
      });
      if (section) {
        check_table(*node.as_table(), key + ".");
        continue;
      }
    }
    if (spec == nullptr)
      fail("unknown key '" + key + "' (" + where_of(key, &node) + ")" +
           suggestion(key, schema_names()));
    if (!matches(node, spec->kind))
      fail(key + " must be " + kind_name(spec->kind) + ", got " + toml_value(node) + " (" +
           where_of(key, &node) + ")");
    check_range(node, *spec, key, where_of(key, &node));
    if (spec->kind == ValueKind::tables) check_list(*node.as_array(), key);
  }
}

Config::Config(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Config::~Config() = default;
Config::Config(Config&&) noexcept = default;
Config& Config::operator=(Config&&) noexcept = default;

Config Config::from_string(const std::string& text, const std::string& source,
                           const std::vector<std::string>& overrides) {
  auto impl = std::make_unique<Impl>();
  impl->source = source;
  if (const auto problem = find_unsafe_toml(text))
    fail(source + ":" + std::to_string(problem->line) + ":" + std::to_string(problem->column) +
         ": " + problem->what);
  try {
    impl->root = toml::parse(text, source);
  } catch (const toml::parse_error& error) {
    fail(source + ":" + std::to_string(error.source().begin.line) + ":" +
         std::to_string(error.source().begin.column) + ": " + std::string(error.description()));
  }
  for (const std::string& assignment : overrides) impl->apply_override(assignment);
  impl->check_table(impl->root, "");
  return Config(std::move(impl));
}

Config Config::from_file(const std::string& path, const std::vector<std::string>& overrides) {
  const char* example = "; pass the path of a TOML file such as examples/spiral.toml";
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) fail("'" + path + "' does not exist" + example);
  if (std::filesystem::is_directory(status)) fail("'" + path + "' is a directory" + example);
  if (!std::filesystem::is_regular_file(status))
    fail("'" + path + "' is not a regular file" + example);
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot open '" + path + "': " + std::strerror(errno) + example);
  std::ostringstream text;
  text << in.rdbuf();
  return from_string(text.str(), path, overrides);
}

const std::string& Config::source() const { return impl_->source; }

bool Config::is_set(const std::string& key) const { return impl_->lookup(key) != nullptr; }

std::string Config::where(const std::string& key) const {
  const toml::node* node = impl_->lookup(key);
  return node == nullptr ? "default" : impl_->where_of(key, node);
}

void config_error(const Config& config, const std::string& key, const std::string& problem) {
  fail(key + " " + problem + " (" + config.where(key) + ")");
}

namespace {

// The configured node of `key`, or its schema default parsed into `holder`.
const toml::node& value_of(const Config& config, const toml::table& root, const std::string& key,
                           ValueKind kind, toml::table& holder) {
  const KeySpec* spec = find_key(key);
  NABLA_CHECK(spec != nullptr, "config: '", key, "' is not in the schema (src/run/schema.cpp)");
  NABLA_CHECK(spec->kind == kind || (kind == ValueKind::number && spec->kind == ValueKind::integer),
              "config: '", key, "' is ", kind_name(spec->kind), " in the schema");
  if (const toml::node* node = root.at_path(key).node()) return *node;
  (void)config;
  holder = *parse_value(spec->default_toml);
  return *holder["v"].node();
}

template <class T, class Get>
std::vector<T> array_values(const toml::node& node, Get&& get) {
  std::vector<T> values;
  for (const toml::node& element : *node.as_array()) values.push_back(get(element));
  return values;
}

}  // namespace

double Config::number(const std::string& key) const {
  toml::table holder;
  return as_number(value_of(*this, impl_->root, key, ValueKind::number, holder));
}

int64_t Config::integer(const std::string& key) const {
  toml::table holder;
  return value_of(*this, impl_->root, key, ValueKind::integer, holder).as_integer()->get();
}

bool Config::boolean(const std::string& key) const {
  toml::table holder;
  return value_of(*this, impl_->root, key, ValueKind::boolean, holder).as_boolean()->get();
}

std::string Config::text(const std::string& key) const {
  toml::table holder;
  return value_of(*this, impl_->root, key, ValueKind::text, holder).as_string()->get();
}

std::vector<int64_t> Config::integers(const std::string& key) const {
  toml::table holder;
  return array_values<int64_t>(value_of(*this, impl_->root, key, ValueKind::integers, holder),
                               [](const toml::node& n) { return n.as_integer()->get(); });
}

std::vector<double> Config::numbers(const std::string& key) const {
  toml::table holder;
  return array_values<double>(value_of(*this, impl_->root, key, ValueKind::numbers, holder),
                              as_number);
}

std::vector<std::string> Config::texts(const std::string& key) const {
  toml::table holder;
  return array_values<std::string>(value_of(*this, impl_->root, key, ValueKind::texts, holder),
                                   [](const toml::node& n) { return n.as_string()->get(); });
}

std::vector<ConfigTable> Config::tables(const std::string& key) const {
  std::vector<ConfigTable> tables;
  const toml::node* node = impl_->lookup(key);
  if (node == nullptr) return tables;
  for (const toml::node& element : *node->as_array()) {
    ConfigTable table;
    table.where = impl_->where_of(key, &element);
    for (const auto& [name, value] : *element.as_table())
      table.values[std::string(name.str())] = toml_value(value);
    tables.push_back(std::move(table));
  }
  return tables;
}

std::string Config::resolved_toml() const {
  toml::table resolved;
  for (const KeySpec& spec : schema()) {
    const toml::node* node = impl_->lookup(spec.key);
    std::optional<toml::table> holder;
    if (node == nullptr) {
      if (spec.kind == ValueKind::tables) continue;
      holder = parse_value(spec.default_toml);
      node = (*holder)["v"].node();
    }
    // Walk / create the sections of the dotted key.
    toml::table* table = &resolved;
    std::istringstream parts(spec.key);
    std::vector<std::string> names;
    for (std::string part; std::getline(parts, part, '.');) names.push_back(part);
    for (size_t i = 0; i + 1 < names.size(); ++i)
      table = table->insert(names[i], toml::table{}).first->second.as_table();
    table->insert_or_assign(names.back(), *node);
  }
  return "# " + impl_->source + " as resolved: every key, defaults filled in\n" +
         toml_document(resolved);
}

std::string choice(const Config& config, const std::string& key,
                   const std::vector<std::string>& valid) {
  const std::string value = config.text(key);
  if (std::find(valid.begin(), valid.end(), value) != valid.end()) return value;
  std::string list;
  for (const std::string& name : valid) list += (list.empty() ? "" : ", ") + name;
  const std::string nearest = nearest_name(value, valid);
  config_error(config, key, "is '" + value + "'; valid: " + list +
                                (nearest.empty() ? "" : "; did you mean '" + nearest + "'?"));
}

std::vector<KeyHelp> config_keys() {
  std::vector<KeyHelp> keys;
  for (const KeySpec& spec : schema())
    keys.push_back({spec.key, kind_name(spec.kind), spec.default_toml, spec.help,
                    is_numeric(spec.kind) ? spec.range.text() : ""});
  return keys;
}

// ConfigTable: values are TOML text, parsed on demand.
namespace {
toml::table table_value(const ConfigTable& table, const std::string& key) {
  return *parse_value(table.values.at(key));
}
}  // namespace

std::string ConfigTable::text(const std::string& key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  return table_value(*this, key)["v"].value_or(fallback);
}

double ConfigTable::number(const std::string& key, double fallback) const {
  return has(key) ? as_number(*table_value(*this, key)["v"].node()) : fallback;
}

int64_t ConfigTable::integer(const std::string& key, int64_t fallback) const {
  return has(key) ? table_value(*this, key)["v"].value_or(fallback) : fallback;
}

bool ConfigTable::boolean(const std::string& key, bool fallback) const {
  return has(key) ? table_value(*this, key)["v"].value_or(fallback) : fallback;
}

std::vector<int64_t> ConfigTable::integers(const std::string& key,
                                           std::vector<int64_t> fallback) const {
  if (!has(key)) return fallback;
  toml::table holder = table_value(*this, key);
  const toml::node& node = *holder["v"].node();
  if (node.is_integer()) return {node.as_integer()->get()};
  return array_values<int64_t>(node, [](const toml::node& n) { return n.as_integer()->get(); });
}

}  // namespace nabla::run
