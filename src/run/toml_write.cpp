#include "run/toml_write.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <toml++/toml.h>

#include "nabla/error.hpp"

namespace nabla::run {

namespace {

bool is_bare_key(const std::string& key) {
  if (key.empty()) return false;
  for (const char c : key)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
          c == '-'))
      return false;
  return true;
}

std::string toml_key(const std::string& key) { return is_bare_key(key) ? key : toml_quote(key); }

// toml++ prints dates and times in TOML's own syntax, without touching its float code.
template <class T>
std::string streamed(const T& value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

bool is_table_list(const toml::node& node) {
  return node.is_array_of_tables() && !node.as_array()->empty();
}

void write_table(std::string& out, const toml::table& table, const std::string& path);

// One [[path]] block per element; an element's own tables stay inline values.
void write_table_list(std::string& out, const toml::array& list, const std::string& path) {
  for (const toml::node& element : list) {
    out += (out.empty() ? "" : "\n") + ("[[" + path + "]]\n");
    for (const auto& [key, value] : *element.as_table())
      out += toml_key(std::string(key.str())) + " = " + toml_value(value) + "\n";
  }
}

void write_table(std::string& out, const toml::table& table, const std::string& path) {
  bool has_values = false;
  for (const auto& [key, value] : table) has_values |= !value.is_table() && !is_table_list(value);
  // A table with only subtables needs no header of its own; the root never has one.
  if (!path.empty() && (has_values || table.empty()))
    out += (out.empty() ? "" : "\n") + ("[" + path + "]\n");
  for (const auto& [key, value] : table)
    if (!value.is_table() && !is_table_list(value))
      out += toml_key(std::string(key.str())) + " = " + toml_value(value) + "\n";
  for (const auto& [key, value] : table) {
    const std::string sub = (path.empty() ? "" : path + ".") + toml_key(std::string(key.str()));
    if (value.is_table()) write_table(out, *value.as_table(), sub);
    if (is_table_list(value)) write_table_list(out, *value.as_array(), sub);
  }
}

}  // namespace

std::string toml_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  NABLA_CHECK(error == std::errc(), "toml_float: cannot format ", value);
  std::string text(buffer, end);
  // "3" would read back as an integer; the key's type must survive the round trip.
  if (text.find_first_of(".e") == std::string::npos) text += ".0";
  return text;
}

std::string toml_quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {  // TOML's control characters
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(c));
      out += escaped;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string toml_value(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::string: return toml_quote(node.as_string()->get());
    case toml::node_type::integer: return std::to_string(node.as_integer()->get());
    case toml::node_type::floating_point: return toml_float(node.as_floating_point()->get());
    case toml::node_type::boolean: return node.as_boolean()->get() ? "true" : "false";
    case toml::node_type::date: return streamed(node.as_date()->get());
    case toml::node_type::time: return streamed(node.as_time()->get());
    case toml::node_type::date_time: return streamed(node.as_date_time()->get());
    case toml::node_type::array: {
      std::string out = "[";
      for (const toml::node& element : *node.as_array())
        out += (out.size() > 1 ? ", " : "") + toml_value(element);
      return out + "]";
    }
    case toml::node_type::table: {
      std::string out;
      for (const auto& [key, value] : *node.as_table())
        out += (out.empty() ? "{ " : ", ") + toml_key(std::string(key.str())) + " = " +
               toml_value(value);
      return out.empty() ? "{}" : out + " }";
    }
    case toml::node_type::none: break;
  }
  NABLA_FAIL("toml_value: a node without a value");
}

std::string toml_document(const toml::table& root) {
  std::string out;
  write_table(out, root, "");
  return out;
}

}  // namespace nabla::run
