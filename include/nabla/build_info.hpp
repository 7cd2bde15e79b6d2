// What this nabla is and what it runs on: its version and commit, how it was compiled and
// which engines it links (`nabla --version` prints it).
//
//   std::cout << nabla::build_info_text();
#pragma once
#pragma GCC visibility push(default)

#include <string>

namespace nabla {

struct BuildInfo {
  std::string version;     // "0.1.0"
  std::string git_commit;  // short hash, "-dirty" when built from changed files, or "unknown"
  std::string compiler;    // "GNU 12.2.0"
  std::string build_type;  // "Release"
  std::string cxx_flags;   // flags nabla's own code was compiled with
  std::string blas;        // OpenBLAS's configuration and the kernel it chose for this CPU
  std::string onednn;      // oneDNN version and ISA in use, or "not built in"
  bool cuda = false;       // CUDA backend compiled in
  bool mpi = false;        // distributed training over MPI compiled in
  int threads = 1;         // OpenMP threads nabla and OpenBLAS use
};

BuildInfo build_info();

// Several lines, "key: value", as `nabla --version` prints them.
std::string build_info_text();

}  // namespace nabla

#pragma GCC visibility pop
