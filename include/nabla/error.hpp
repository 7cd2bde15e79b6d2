// nabla::Error and the one check macro every module uses.
//
//   NABLA_CHECK(a.dim() == 2, "matmul: expected a 2-D tensor, got shape ", a.shape());
//
// The message pieces are streamed with operator<<, so shapes, dtypes and numbers print as
// themselves. The thrown Error records the file and line of the check; what() shows them
// ("... (matmul.cpp:42)") only while error_locations() is on, since a user needs the message,
// not nabla's file names.
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace nabla {

class Error : public std::runtime_error {
 public:
  Error(const std::string& message, const char* file, int line);
  // The message, followed by " (file.cpp:LINE)" while error_locations() is on. Decided at each
  // call, so a message that nests an inner error's what() follows the same switch.
  const char* what() const noexcept override;
  const std::string& message() const { return message_; }  // never with the location
  const char* file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string message_;  // runtime_error's own text is the message with the location
  const char* file_;
  int line_;
};

// Whether Error::what() ends with the source location of the check. Off unless the
// environment sets NABLA_DEBUG (to anything but "" or "0"); `nabla --verbose` turns it on.
// Process-wide and thread-safe.
bool error_locations();
void set_error_locations(bool on);

// Shapes (std::vector<int64_t>) print as [2, 3]; declared here so the checks below find it.
std::ostream& operator<<(std::ostream& out, const std::vector<int64_t>& shape);

namespace detail {
template <class... Args>
std::string concat(const Args&... args) {
  std::ostringstream out;
  (out << ... << args);
  return out.str();
}
[[noreturn]] void throw_error(const std::string& message, const char* file, int line);
}  // namespace detail

}  // namespace nabla

#define NABLA_CHECK(cond, ...)                                                          \
  do {                                                                                  \
    if (!(cond)) [[unlikely]]                                                           \
      ::nabla::detail::throw_error(::nabla::detail::concat(__VA_ARGS__), __FILE__, __LINE__); \
  } while (0)

#define NABLA_FAIL(...) \
  ::nabla::detail::throw_error(::nabla::detail::concat(__VA_ARGS__), __FILE__, __LINE__)

#pragma GCC visibility pop
