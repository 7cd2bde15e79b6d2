// Whole decimal integers from text without std::stoll's exceptions, whose message ("stoll")
// names neither the text nor where it came from: the caller says both.
#pragma once

#include <charconv>
#include <cstdint>
#include <optional>
#include <string_view>

namespace nabla::detail {

// The integer `text` spells (an optional '-' and digits, nothing else); nullopt when it spells
// none or one beyond int64.
inline std::optional<int64_t> parse_int64(std::string_view text) {
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace nabla::detail
