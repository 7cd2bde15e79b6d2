#include "nabla/error.hpp"

#include <atomic>
#include <cstdlib>
#include <cstring>

namespace nabla {

namespace {
// Only the file name: full build paths make messages long and machine-specific.
const char* base_name(const char* path) {
  const char* slash = std::strrchr(path, '/');
  return slash ? slash + 1 : path;
}

bool debug_environment() {
  const char* value = std::getenv("NABLA_DEBUG");
  return value != nullptr && *value != '\0' && std::strcmp(value, "0") != 0;
}

// Read from the environment on first use, so a library user gets locations with
// NABLA_DEBUG=1 without calling anything.
std::atomic<bool>& locations_flag() {
  static std::atomic<bool> on{debug_environment()};
  return on;
}
}  // namespace

bool error_locations() { return locations_flag().load(std::memory_order_relaxed); }
void set_error_locations(bool on) { locations_flag().store(on, std::memory_order_relaxed); }

Error::Error(const std::string& message, const char* file, int line)
    : std::runtime_error(message + " (" + base_name(file) + ":" + std::to_string(line) + ")"),
      message_(message),
      file_(file),
      line_(line) {}

const char* Error::what() const noexcept {
  return error_locations() ? std::runtime_error::what() : message_.c_str();
}

namespace detail {
void throw_error(const std::string& message, const char* file, int line) {
  throw Error(message, file, line);
}
}  // namespace detail

}  // namespace nabla
