#include "nabla/error.hpp"

#include <cstring>

namespace nabla {

namespace {
// Only the file name: full build paths make messages long and machine-specific.
const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}
}  // namespace

Error::Error(const std::string& message, const char* file, int line)
    : std::runtime_error(message + " (" + base_name(file) + ":" + std::to_string(line) + ")"),
      message_(message),
      file_(file),
      line_(line) {}

namespace detail {
void throw_error(const std::string& message, const char* file, int line) {
  throw Error(message, file, line);
}
}  // namespace detail

}  // namespace nabla
