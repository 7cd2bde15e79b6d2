// Trials as child processes: `program args...` (the running `nabla`, /proc/self/exe), stdout and
// stderr appended to the trial's log, at most `parallel` at once. Each child runs in its own
// process group, so a Ctrl-C reaches `nabla tune` alone, which passes one SIGINT to every
// running trial (each saves its checkpoint and exits 130) and waits for them; a child whose
// parent dies gets SIGTERM (prctl PDEATHSIG) and likewise checkpoints, so no orphan trains on.
//
//   tune::ProcessExecutor executor({.program = "/proc/self/exe", .parallel = 2});
//   run_search(plan, setup, ledger, executor.executor(), say);
//   if (executor.interrupted()) return 130;
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <memory>
#include <string>

#include "nabla/tune/search.hpp"

namespace nabla::tune {

struct ExecutorOptions {
  std::string program;
  int64_t parallel = 1;
  int64_t max_runs = 0;  // stop starting trainings after this many (0: no limit)
};

class ProcessExecutor {
 public:
  explicit ProcessExecutor(ExecutorOptions options);
  ~ProcessExecutor();
  // The Executor run_search calls; valid while this object lives.
  Executor executor();
  bool interrupted() const;      // a SIGINT or SIGTERM stopped it
  bool hit_max_runs() const;     // max_runs stopped it
  int64_t started() const;       // trainings started so far

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace nabla::tune

#pragma GCC visibility pop
