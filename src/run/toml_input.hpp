// Bytes checked before toml++ sees them. toml++ 3.3.0 (Debian 12's) asserts on a control
// character in a key and reaches TOML_UNREACHABLE (undefined behaviour in a release build) on a
// non-ASCII character where a value or key should start, so nabla refuses both itself, with the
// line and column: text must be UTF-8, hold no control characters but tab and line breaks, and
// hold non-ASCII characters only inside strings and comments (TOML 1.0's bare keys are ASCII).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace nabla::run {

struct TextProblem {
  size_t line = 1, column = 1;  // 1-based, column in bytes
  std::string what;             // "byte 0xE9 is not UTF-8; save the file as UTF-8"
};

// The first byte of `text` that is not valid UTF-8; nullopt when all is.
std::optional<TextProblem> find_invalid_utf8(std::string_view text);
// The first problem above of a TOML document; nullopt when toml++ may parse it.
std::optional<TextProblem> find_unsafe_toml(std::string_view text);

}  // namespace nabla::run
