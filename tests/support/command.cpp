#include "support/command.hpp"

#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

namespace nabla::testing_cli {

namespace {

void exec_nabla(const std::vector<std::string>& args, const std::string& out, const std::string& err,
                const Environment& env) {
  for (const auto& [name, value] : env) setenv(name.c_str(), value.c_str(), 1);
  const int null_in = open("/dev/null", O_RDONLY);
  const int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  const int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(null_in, 0), dup2(out_fd, 1), dup2(err_fd, 2);
  std::vector<char*> argv;
  std::string program = NABLA_CLI;
  argv.push_back(program.data());
  std::vector<std::string> copies = args;
  for (std::string& arg : copies) argv.push_back(arg.data());
  argv.push_back(nullptr);
  execv(program.c_str(), argv.data());
  _exit(127);
}

}  // namespace

std::string fresh_dir(const std::string& name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() /
                                    ("nabla_cli_" + std::to_string(getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

pid_t start_nabla(const std::vector<std::string>& args, const std::string& log_dir,
                  const Environment& env) {
  const pid_t pid = fork();
  if (pid == 0) exec_nabla(args, log_dir + "/stdout.txt", log_dir + "/stderr.txt", env);
  return pid;
}

int wait_for(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WEXITSTATUS(status);
}

CommandResult run_nabla(const std::vector<std::string>& args, const Environment& env) {
  const std::string logs = fresh_dir("logs");
  CommandResult result;
  result.exit_code = wait_for(start_nabla(args, logs, env));
  result.out = read_text(logs + "/stdout.txt");
  result.err = read_text(logs + "/stderr.txt");
  std::filesystem::remove_all(logs);
  return result;
}

}  // namespace nabla::testing_cli
