// render_dot_svg: `dot -Tsvg` as a child process, fed and read through pipes.
//
// One poll loop writes the DOT text and reads stdout and stderr together, so neither side can
// block the other on a full pipe buffer. SIGPIPE (dot exiting before it read everything) is
// blocked on this thread while the loop runs and a pending one is taken back afterwards: a
// failing dot must never kill the training run that asked for the picture.
#include "nabla/report/graphviz.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace nabla::report {

namespace {

constexpr size_t kErrorShown = 600;  // characters of dot's stderr kept in the problem text

struct Pipe {
  int read = -1, write = -1;
  bool open() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return false;
    read = fds[0], write = fds[1];
    return true;
  }
  static void close_end(int& fd) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  ~Pipe() { close_end(read), close_end(write); }
};

// Blocks SIGPIPE on this thread for its lifetime; a SIGPIPE raised meanwhile is consumed.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&pipe_);
    sigaddset(&pipe_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
  }
  ~SigpipeBlock() {
    const timespec zero{0, 0};
    while (sigtimedwait(&pipe_, nullptr, &zero) == SIGPIPE) {}
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t pipe_, previous_;
};

struct Output {
  std::string out, err;
  std::string io_error;  // a failed read/write/poll, "" otherwise
};

// Writes `input` to `to_child` (then closes it) while reading `from_out` and `from_err` to EOF.
Output exchange(const std::string& input, int& to_child, int from_out, int from_err) {
  Output result;
  size_t written = 0;
  ::fcntl(to_child, F_SETFL, ::fcntl(to_child, F_GETFL) | O_NONBLOCK);
  bool out_open = true, err_open = true;
  if (input.empty()) Pipe::close_end(to_child);
  char buffer[65536];
  while (out_open || err_open) {
    pollfd fds[3] = {{from_out, POLLIN, 0}, {from_err, POLLIN, 0}, {to_child, POLLOUT, 0}};
    if (!out_open) fds[0].fd = -1;
    if (!err_open) fds[1].fd = -1;
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      result.io_error = std::string("poll: ") + std::strerror(errno);
      break;
    }
    if (to_child >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      const ssize_t n = ::write(to_child, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      // EPIPE: dot stopped reading (it failed); its exit status and stderr tell why.
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size())
        Pipe::close_end(to_child);
    }
    for (int k = 0; k < 2; ++k) {
      if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[k].fd, buffer, sizeof buffer);
      if (n > 0) (k == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) (k == 0 ? out_open : err_open) = false;
    }
  }
  Pipe::close_end(to_child);
  return result;
}

int wait_child(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return status;
}

std::string status_text(int status) {
  if (status < 0) return "could not be waited for";
  if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
  return "exited with status " + std::to_string(WEXITSTATUS(status));
}

// dot's SVG from its first "<svg" on: the XML prolog and doctype do not belong inside HTML.
std::string svg_element(const std::string& text) {
  const size_t start = text.find("<svg");
  const size_t end = text.rfind("</svg>");
  if (start == std::string::npos || end == std::string::npos || end < start) return "";
  return text.substr(start, end + 6 - start);
}

GraphvizSvg failure(const std::string& problem) { return {"", problem}; }

}  // namespace

std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / program;
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error) && ::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return "";
}

GraphvizSvg render_dot_svg(const std::string& dot_text) {
  const std::string dot = find_on_path("dot");
  if (dot.empty())
    return failure("Graphviz's dot is not on PATH, so the graph is not drawn (install Graphviz: "
                   "apt-get install graphviz)");
  Pipe in, out, err;
  if (!in.open() || !out.open() || !err.open())
    return failure(std::string("could not make pipes for dot: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read, 0);
  posix_spawn_file_actions_adddup2(&actions, out.write, 1);
  posix_spawn_file_actions_adddup2(&actions, err.write, 2);
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);  // dot must not inherit our blocked SIGPIPE
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);
  std::string program = dot, format = "-Tsvg";
  char* argv[] = {program.data(), format.data(), nullptr};
  SigpipeBlock sigpipe_blocked;
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, dot.c_str(), &actions, &attributes, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawned != 0) return failure(dot + " could not be started: " + std::strerror(spawned));
  Pipe::close_end(in.read), Pipe::close_end(out.write), Pipe::close_end(err.write);
  const Output output = exchange(dot_text, in.write, out.read, err.read);
  const int status = wait_child(pid);
  const std::string errors = output.err.substr(0, kErrorShown);
  if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return failure(dot + " -Tsvg " + status_text(status) + (errors.empty() ? "" : ": " + errors));
  if (!output.io_error.empty()) return failure("reading dot's output failed: " + output.io_error);
  std::string svg = svg_element(output.out);
  if (svg.empty()) return failure(dot + " -Tsvg wrote no <svg> element" + (errors.empty() ? "" : ": " + errors));
  return {std::move(svg), ""};
}

}  // namespace nabla::report
