// Runs Debian's headless `chromium` on a local page for the report tests, in a private profile
// and HOME (CI may have neither a HOME nor a writable one) and under `timeout`, so a hung
// browser fails the test instead of the suite.
//
//   ChromiumRun run = run_chromium(chromium, "file:///tmp/x/report.html", {"--dump-dom"}, dir);
//   run.status == 0; run.output holds the serialised DOM.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nabla::report::testing {

// The full path of `program` on PATH, or "".
inline std::string find_on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const std::filesystem::path candidate =
        std::filesystem::path(dir.empty() ? "." : dir) / program;
    std::error_code error;
    if (std::filesystem::is_regular_file(candidate, error) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate.string();
  }
  return "";
}

inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct ChromiumRun {
  int status = -1;     // exit status; 124 when `timeout` stopped it
  std::string output;  // stdout (the DOM for --dump-dom)
  std::string errors;  // the end of stderr, for failure messages
};

// Runs `chromium` headless on `url` with `extra` flags; `work_dir` receives the profile, the
// child's HOME and its stderr.
inline ChromiumRun run_chromium(const std::string& chromium, const std::string& url,
                                const std::vector<std::string>& extra,
                                const std::filesystem::path& work_dir, int timeout_s = 60) {
  const std::string home = (work_dir / "home").string();
  const std::string log = (work_dir / "chromium-stderr.txt").string();
  std::filesystem::create_directories(home);
  std::string command = "env HOME=" + shell_quote(home) +
                        " XDG_CONFIG_HOME=" + shell_quote(home + "/.config") +
                        " XDG_CACHE_HOME=" + shell_quote(home + "/.cache") + " timeout " +
                        std::to_string(timeout_s) + " " + shell_quote(chromium) +
                        " --headless --no-sandbox --disable-gpu --no-first-run"
                        " --disable-extensions --disable-dev-shm-usage --mute-audio"
                        " --user-data-dir=" +
                        shell_quote((work_dir / "profile").string());
  for (const auto& flag : extra) command += " " + shell_quote(flag);
  command += " " + shell_quote(url) + " 2>" + shell_quote(log) + " </dev/null";

  ChromiumRun run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) {
    run.errors = "popen failed for: " + command;
    return run;
  }
  std::array<char, 1 << 16> buffer;
  for (size_t got; (got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0;)
    run.output.append(buffer.data(), got);
  const int status = ::pclose(pipe);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream in(log);
  const std::string errors((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  run.errors = errors.size() > 2000 ? errors.substr(errors.size() - 2000) : errors;
  return run;
}

}  // namespace nabla::report::testing
