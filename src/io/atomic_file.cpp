#include "nabla/io/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <streambuf>

#include "nabla/error.hpp"

namespace nabla::io {

namespace {

// A write-only stream buffer over a POSIX descriptor, so the bytes the caller streams go straight
// into the temporary and the same descriptor can be fsync'ed (an ofstream hides its descriptor).
// The first failed write is kept in error_ and fails every later one.
class FdStreamBuf : public std::streambuf {
 public:
  explicit FdStreamBuf(int fd) : fd_(fd) { setp(buffer_.data(), buffer_.data() + buffer_.size()); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    // Large blocks (tensor data) skip the buffer.
    if (n < static_cast<std::streamsize>(buffer_.size())) return std::streambuf::xsputn(s, n);
    if (!drain() || !write_all(s, static_cast<size_t>(n))) return 0;
    return n;
  }

 private:
  bool drain() {
    const size_t pending = static_cast<size_t>(pptr() - pbase());
    setp(buffer_.data(), buffer_.data() + buffer_.size());
    return write_all(buffer_.data(), pending);
  }
  bool write_all(const char* p, size_t n) {
    while (error_ == 0 && n > 0) {
      const ssize_t wrote = ::write(fd_, p, n);
      if (wrote < 0) {
        if (errno != EINTR) error_ = errno;
        continue;
      }
      p += wrote;
      n -= static_cast<size_t>(wrote);
    }
    return error_ == 0;
  }

  int fd_;
  int error_ = 0;
  std::array<char, 1 << 16> buffer_{};
};

// The directory that holds `path` ("." for a bare file name).
std::string directory_of(const std::string& path) {
  const std::string parent = std::filesystem::path(path).parent_path().string();
  return parent.empty() ? "." : parent;
}

// Unique per process and per call, so concurrent writers (threads or processes) of the same
// target never share a temporary.
std::string temporary_name(const std::string& path) {
  static std::atomic<uint64_t> counter{0};
  return path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
}

// Owns the temporary until it is renamed: closes the descriptor and removes the file on any
// exit that did not publish it.
struct Temporary {
  std::string name;
  int fd = -1;
  bool published = false;
  ~Temporary() {
    if (fd >= 0) ::close(fd);
    if (!published) ::unlink(name.c_str());
  }
};

// Makes the rename itself durable; filesystems that cannot sync a directory say EINVAL.
void sync_directory(const std::string& dir, const std::string& path, const std::string& what) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  NABLA_CHECK(fd >= 0, what, ": wrote '", path, "' but cannot open its directory '", dir,
              "' to sync it: ", std::strerror(errno), "; the file may not survive a crash");
  const int result = ::fsync(fd);
  const int code = errno;
  ::close(fd);
  NABLA_CHECK(result == 0 || code == EINVAL, what, ": wrote '", path, "' but syncing directory '",
              dir, "' failed: ", std::strerror(code), "; the file may not survive a crash");
}

}  // namespace

void write_file_atomically(const std::string& path, const std::function<void(std::ostream&)>& write,
                           const std::string& what) {
  const std::string dir = directory_of(path);
  Temporary tmp{temporary_name(path)};
  tmp.fd = ::open(tmp.name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (tmp.fd < 0) {
    const int code = errno;
    tmp.published = true;  // nothing was created, nothing to remove
    NABLA_CHECK(std::filesystem::is_directory(dir), what, ": cannot write '", path,
                "': directory '", dir, "' does not exist (", std::strerror(code),
                "); create it first");
    NABLA_FAIL(what, ": cannot create temporary file '", tmp.name, "' for '", path,
               "': ", std::strerror(code), "; check the directory's permissions and free space");
  }
  FdStreamBuf buffer(tmp.fd);
  std::ostream out(&buffer);
  write(out);  // an exception leaves through ~Temporary, which removes the file
  out.flush();
  NABLA_CHECK(out.good() && buffer.error() == 0, what, ": writing '", tmp.name, "' for '", path,
              "' failed: ", std::strerror(buffer.error() != 0 ? buffer.error() : EIO),
              "; check free space");
  NABLA_CHECK(::fsync(tmp.fd) == 0, what, ": flushing '", tmp.name, "' to disk failed: ",
              std::strerror(errno), "; check free space");
  const int closed = ::close(tmp.fd);
  tmp.fd = -1;
  NABLA_CHECK(closed == 0, what, ": closing '", tmp.name, "' failed: ", std::strerror(errno));
  NABLA_CHECK(::rename(tmp.name.c_str(), path.c_str()) == 0, what, ": cannot rename '", tmp.name,
              "' to '", path, "': ", std::strerror(errno));
  tmp.published = true;
  sync_directory(dir, path, what);
}

void write_file_atomically(const std::string& path, const std::string& bytes,
                           const std::string& what) {
  const auto write = [&](std::ostream& out) {
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  };
  write_file_atomically(path, write, what);
}

namespace {

// The writer's process id of a temporary name "<target>.tmp.<pid>.<n>", or 0 for other names.
pid_t temporary_writer(const std::string& name) {
  const size_t tag = name.rfind(".tmp.");
  if (tag == std::string::npos) return 0;
  const std::string rest = name.substr(tag + 5);
  const size_t dot = rest.find('.');
  const auto digits = [](const std::string& text) {
    return !text.empty() && text.size() <= 9 &&
           std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (dot == std::string::npos || !digits(rest.substr(0, dot)) || !digits(rest.substr(dot + 1)))
    return 0;
  return static_cast<pid_t>(std::stol(rest.substr(0, dot)));
}

}  // namespace

size_t remove_stale_temporaries(const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return 0;
  size_t removed = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(
           dir, std::filesystem::directory_options::skip_permission_denied, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (!it->is_regular_file(error)) continue;
    const pid_t writer = temporary_writer(it->path().filename().string());
    // A live process (or one we may not signal: EPERM) may still be writing; ours too.
    if (writer <= 0 || writer == ::getpid() || ::kill(writer, 0) == 0 || errno != ESRCH) continue;
    if (std::filesystem::remove(it->path(), error)) ++removed;
  }
  return removed;
}

std::string read_file(const std::string& path, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  NABLA_CHECK(fd >= 0, what, ": cannot open '", path, "': ", std::strerror(errno));
  struct stat info {};
  std::string bytes;
  if (::fstat(fd, &info) == 0 && S_ISREG(info.st_mode))
    bytes.reserve(static_cast<size_t>(info.st_size));
  // Read to the end rather than trusting st_size: pipes and /proc files report 0.
  std::array<char, 1 << 16> chunk{};
  while (true) {
    const ssize_t got = ::read(fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) {
      const int code = errno;
      ::close(fd);
      NABLA_CHECK(got == 0, what, ": reading '", path, "' failed after ", bytes.size(),
                  " bytes: ", std::strerror(code));
      return bytes;
    }
    bytes.append(chunk.data(), static_cast<size_t>(got));
  }
}

}  // namespace nabla::io
