// `nabla --version`: what a bug report needs, from the build and from the engines at run time.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/build_info.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

TEST(CliVersion, NamesVersionCommitCompilerEnginesAndThreads) {
  const CommandResult r = run_nabla({"--version"}, {{"OMP_NUM_THREADS", "3"}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, ContainsRegex("^nabla [0-9]+\\.[0-9]+\\.[0-9]+ \\(commit [0-9a-z-]+\\)\n"));
  EXPECT_THAT(r.out, ContainsRegex("compiler: (GNU|Clang) [0-9.]+, [A-Za-z]+, flags: .*-O"));
  // The OpenMP build of OpenBLAS, the one nabla's thread pool is shared with.
  EXPECT_THAT(r.out, ContainsRegex("BLAS: OpenBLAS [0-9.]+ .*USE_OPENMP.*\\(kernel [A-Za-z0-9]+\\)"));
#ifdef NABLA_HAS_CUDA
  EXPECT_THAT(r.out, HasSubstr("CUDA: compiled in"));
#else
  EXPECT_THAT(r.out, HasSubstr("CUDA: not compiled in"));
#endif
  EXPECT_THAT(r.out, HasSubstr("threads: 3\n"));
}

TEST(CliVersion, AgreesWithTheLibrary) {
  const BuildInfo info = build_info();
  const CommandResult r = run_nabla({"--version"});
  EXPECT_THAT(r.out, HasSubstr("nabla " + info.version + " (commit " + info.git_commit + ")"));
  EXPECT_THAT(r.out, HasSubstr("convolution: " + info.onednn));
  EXPECT_THAT(r.out, HasSubstr(std::string("MPI: ") + (info.mpi ? "compiled in" : "not compiled in")));
}

}  // namespace
}  // namespace nabla::testing_cli
