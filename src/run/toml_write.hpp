// TOML text written by nabla itself rather than by toml++'s formatter, for two reasons:
// floats come out in their shortest round-trip form (0.1, not toml++'s 0.10000000000000001),
// and toml++ 3.3.0's formatter casts a negative log10 to size_t for every float below 1 when it
// measures a line (undefined behaviour). Parsing stays with toml++.
//
//   toml_value(node)      0.1   3.0   1e+300   "adam"   [1, 2]   { p = 0.5 }
//   toml_document(table)  key = value lines, then [section] and [[list]] blocks
#pragma once

#include <string>
#include <toml++/impl/forward_declarations.h>  // not all of toml++, for the tune files

namespace nabla::run {

// The shortest decimal that reads back as `value` (std::to_chars), kept a TOML float: "3.0",
// not "3"; inf and nan as TOML's inf, -inf, nan.
std::string toml_float(double value);
// A TOML basic string: quotes, with \\, \" and control characters escaped.
std::string toml_quote(const std::string& text);
// One value as it stands on the right of `=`; tables inline.
std::string toml_value(const toml::node& node);
// A whole document: each table's values under its [header], subtables after them, and arrays
// of tables as [[header]] blocks. Keys in the table's (sorted) order.
std::string toml_document(const toml::table& root);

}  // namespace nabla::run
