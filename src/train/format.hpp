// Numbers in the trainer's messages: printf's %g with `digits` significant digits.
#pragma once

#include <cstdio>
#include <string>

namespace nabla::train::detail {

inline std::string format_number(double value, int digits = 6) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

}  // namespace nabla::train::detail
