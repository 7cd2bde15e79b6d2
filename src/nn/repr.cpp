#include "nn/repr.hpp"

#include <cstdio>
#include <cstdlib>
#include <sstream>

namespace nabla::nn {

const char* py_bool(bool value) { return value ? "True" : "False"; }

std::string python_float(double value) {
  char buffer[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    if (std::strtod(buffer, nullptr) == value) break;
  }
  std::string s = buffer;
  if (s.find_first_of(".eni") == std::string::npos) s += ".0";
  return s;
}

// Streams, not string operator+: GCC 12 warns falsely (-Wrestrict) on "(" + std::to_string(..).
std::string pair_repr(functional::Size2 size) {
  std::ostringstream out;
  out << '(' << size.h << ", " << size.w << ')';
  return out.str();
}

}  // namespace nabla::nn
