// The configuration schema: every key a run config may hold, with its type, default (as TOML
// text) and help. One list, so the checker, the defaults, `resolved_toml` and `nabla train
// --help-config` cannot disagree.
#pragma once

#include <string>
#include <vector>

namespace nabla::run {

enum class ValueKind { boolean, integer, number, text, integers, numbers, texts, tables };

struct KeySpec {
  const char* key;
  ValueKind kind;
  const char* default_toml;  // "" for table lists
  const char* help;
};

const std::vector<KeySpec>& schema();
const KeySpec* find_key(const std::string& key);
// The keys a table of a list may hold ("model.layers" → type, out_features, ...).
const std::vector<KeySpec>& table_schema(const std::string& list_key);
const char* kind_name(ValueKind kind);

}  // namespace nabla::run
