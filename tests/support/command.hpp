// Runs the `nabla` command built with the tests (NABLA_CLI) as a child process, for the
// end-to-end tests of tests/cli.
#pragma once

#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace nabla::testing_cli {

struct CommandResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out, err;
};

// Variables set in the child's environment only, e.g. {{"NABLA_DEBUG", "1"}}.
using Environment = std::vector<std::pair<std::string, std::string>>;

// Runs `nabla args...` to completion with stdin closed.
CommandResult run_nabla(const std::vector<std::string>& args, const Environment& env = {});

// Starts `nabla args...` in the background (output to files under `log_dir`); returns its pid.
pid_t start_nabla(const std::vector<std::string>& args, const std::string& log_dir,
                  const Environment& env = {});
// Waits for a started child; its exit code (128 + signal when killed).
int wait_for(pid_t pid);

// A fresh empty directory under the test temp dir.
std::string fresh_dir(const std::string& name);
std::string read_text(const std::string& path);

}  // namespace nabla::testing_cli
