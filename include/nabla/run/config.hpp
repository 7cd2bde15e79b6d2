// A run's configuration: a TOML file (examples/*.toml) plus `--set key=value` overrides,
// checked against one schema (run/schema.cpp) so that every key has a type, a default and a
// line of help, and a misspelt key is an error naming the nearest valid one:
//
//   config: unknown key 'optimizer.learning_rate' (examples/spiral.toml:14); did you mean
//   'optimizer.lr'?
//
//   auto config = run::Config::from_file("examples/spiral.toml", {"optimizer.lr=0.05"});
//   double lr = config.number("optimizer.lr");       // the file's value or the default
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nabla/error.hpp"

namespace nabla::run {

// What a table in a list holds ([[model.layers]], [[preprocess.steps]]): its own keys,
// already checked against the list's schema, as TOML text values ("3", "\"relu\"", "[2, 2]").
struct ConfigTable {
  std::string where;  // "examples/x.toml:12" or "--set"
  std::map<std::string, std::string> values;
  bool has(const std::string& key) const { return values.count(key) != 0; }
  std::string text(const std::string& key, const std::string& fallback) const;
  double number(const std::string& key, double fallback) const;
  int64_t integer(const std::string& key, int64_t fallback) const;
  std::vector<int64_t> integers(const std::string& key, std::vector<int64_t> fallback) const;
  bool boolean(const std::string& key, bool fallback) const;
};

class Config {
 public:
  // Parses, applies overrides ("section.key=TOML value"; a bare word is read as a string) and
  // checks every key and type. Any problem is an Error naming the file and line, the key and
  // the fix.
  static Config from_file(const std::string& path, const std::vector<std::string>& overrides = {});
  static Config from_string(const std::string& text, const std::string& source,
                            const std::vector<std::string>& overrides = {});
  ~Config();
  Config(Config&&) noexcept;
  Config& operator=(Config&&) noexcept;

  // Typed values of schema keys ("optimizer.lr"): the configured value or the schema default.
  double number(const std::string& key) const;
  int64_t integer(const std::string& key) const;
  bool boolean(const std::string& key) const;
  std::string text(const std::string& key) const;
  std::vector<int64_t> integers(const std::string& key) const;
  std::vector<double> numbers(const std::string& key) const;
  std::vector<std::string> texts(const std::string& key) const;
  std::vector<ConfigTable> tables(const std::string& key) const;
  // Whether the file or an override set the key (as opposed to its default).
  bool is_set(const std::string& key) const;
  // Where a key was set, for error messages: "examples/x.toml:12", "--set", or "default".
  std::string where(const std::string& key) const;
  const std::string& source() const;

  // The whole configuration with every default filled in, as TOML (run_dir/config.toml).
  std::string resolved_toml() const;

 private:
  struct Impl;
  explicit Config(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A documented key of the schema.
struct KeyHelp {
  std::string key, type, default_value, help;
  std::string range;  // numeric keys: "[0, 1)", ">= 1", "any finite number"; others ""
};
std::vector<KeyHelp> config_keys();

// Throws "config: <key> ... (<where>)" with the given explanation, for the checks of values
// that only the consumer understands (a learning rate must be > 0).
[[noreturn]] void config_error(const Config& config, const std::string& key,
                               const std::string& problem);

// config.text(key), which must be one of `valid`; otherwise an Error listing them and the
// nearest one.
std::string choice(const Config& config, const std::string& key,
                   const std::vector<std::string>& valid);

// The valid name nearest to `name` by edit distance (for "did you mean"), or "" if none is
// close.
std::string nearest_name(const std::string& name, const std::vector<std::string>& candidates);

}  // namespace nabla::run

#pragma GCC visibility pop
