// Trials as child processes (fork + exec of `nabla train`), a few at once, and the Ctrl-C
// contract: the children run in their own process group, so only `nabla tune` sees the
// terminal's SIGINT and passes exactly one to each running trial (a second one would kill a
// trial mid-checkpoint); the children checkpoint and exit 130, and a resume continues them.
#include "nabla/tune/runner.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "nabla/error.hpp"

namespace nabla::tune {

namespace {

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int signal) { g_signal = signal; }

// SIGINT and SIGTERM set g_signal while a batch runs; the previous handlers come back after.
// SA_RESETHAND: a second Ctrl-C kills `nabla tune` at once (its children then get SIGTERM from
// PDEATHSIG and still checkpoint).
class SignalGuard {
 public:
  SignalGuard() {
    g_signal = 0;
    struct sigaction action {};
    action.sa_handler = on_signal;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~SignalGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
};

struct Running {
  pid_t pid = 0;
  size_t index = 0;
  std::chrono::steady_clock::time_point start;
};

pid_t spawn(const std::string& program, const TrialRun& run) {
  std::filesystem::create_directories(run.dir);
  std::vector<std::string> words = run.args;
  words.insert(words.begin(), program);
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);

  const int log = ::open(run.log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  NABLA_CHECK(log >= 0, "nabla tune: cannot open the trial log ", run.log, " (", std::strerror(errno),
              "); check the tune directory is writable");
  std::string banner = "\n==== nabla tune: trial " + std::to_string(run.id) + ", " +
                       std::to_string(run.epochs) + " epochs" + (run.resume ? " (resumed)" : "") +
                       " ====\nnabla";
  for (size_t i = 0; i < run.args.size(); ++i) banner += " " + run.args[i];
  banner += "\n";
  [[maybe_unused]] const ssize_t ignored = ::write(log, banner.data(), banner.size());
  const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(130);  // the search died before prctl took hold
    dup2(null_in, 0);
    dup2(log, 1);
    dup2(log, 2);
    execv(program.c_str(), argv.data());
    _exit(127);
  }
  const int fork_error = errno;
  ::close(log);
  if (null_in >= 0) ::close(null_in);
  NABLA_CHECK(pid > 0, "nabla tune: cannot start a trial (fork: ", std::strerror(fork_error),
              "); lower tune.parallel or free some memory");
  return pid;
}

int exit_code_of(int status) {
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

void pause_briefly() {
  const timespec wait{0, 20'000'000};  // 20 ms; a signal ends it early
  nanosleep(&wait, nullptr);
}

}  // namespace

struct ProcessExecutor::State {
  ExecutorOptions options;
  bool interrupted = false, hit_max_runs = false;
  int64_t started = 0;

  bool run(const std::vector<TrialRun>& runs, const std::function<void(size_t, int, double)>& done);
  void stop_all(std::vector<Running>& running, int signal);
};

void ProcessExecutor::State::stop_all(std::vector<Running>& running, int signal) {
  for (const Running& r : running) kill(r.pid, signal);
  for (const Running& r : running) {
    int status = 0;
    while (waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  running.clear();
}

bool ProcessExecutor::State::run(const std::vector<TrialRun>& runs,
                                 const std::function<void(size_t, int, double)>& done) {
  SignalGuard guard;
  std::vector<Running> running;
  size_t next = 0;
  bool stopping = false, forwarded = false;
  try {
    for (;;) {
      while (!stopping && g_signal == 0 && next < runs.size() &&
             static_cast<int64_t>(running.size()) < options.parallel) {
        if (options.max_runs > 0 && started >= options.max_runs) {
          hit_max_runs = stopping = true;
          break;
        }
        running.push_back({spawn(options.program, runs[next]), next, std::chrono::steady_clock::now()});
        ++next, ++started;
      }
      if (running.empty()) break;
      if (g_signal != 0 && !forwarded) {
        for (const Running& r : running) kill(r.pid, SIGINT);
        forwarded = stopping = interrupted = true;
      }
      int status = 0;
      const pid_t pid = waitpid(-1, &status, WNOHANG);
      if (pid == 0 || (pid < 0 && errno == EINTR)) {
        pause_briefly();
        continue;
      }
      NABLA_CHECK(pid > 0, "nabla tune: waiting for the trials failed (", std::strerror(errno), ")");
      const auto it = std::find_if(running.begin(), running.end(), [&](const Running& r) { return r.pid == pid; });
      if (it == running.end()) continue;  // not a trial of ours
      const Running finished = *it;
      running.erase(it);
      const int code = exit_code_of(status);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - finished.start).count();
      if (code == 130) {  // interrupted (by us or by hand): it checkpointed and will resume
        stopping = interrupted = true;
        continue;
      }
      done(finished.index, code, seconds);
    }
  } catch (...) {
    stop_all(running, SIGINT);
    throw;
  }
  if (g_signal != 0) interrupted = true;
  return !stopping && !interrupted && next == runs.size();
}

ProcessExecutor::ProcessExecutor(ExecutorOptions options) : state_(std::make_shared<State>()) {
  NABLA_CHECK(options.parallel >= 1, "ProcessExecutor: parallel must be >= 1, got ", options.parallel);
  state_->options = std::move(options);
}

ProcessExecutor::~ProcessExecutor() = default;

Executor ProcessExecutor::executor() {
  std::shared_ptr<State> state = state_;
  return [state](const std::vector<TrialRun>& runs, const std::function<void(size_t, int, double)>& done) {
    return state->run(runs, done);
  };
}

bool ProcessExecutor::interrupted() const { return state_->interrupted; }
bool ProcessExecutor::hit_max_runs() const { return state_->hit_max_runs; }
int64_t ProcessExecutor::started() const { return state_->started; }

}  // namespace nabla::tune
