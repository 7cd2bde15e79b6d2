// The main() every nabla benchmark program shares: the thread count from NABLA_BENCH_THREADS
// (default 2, the headline setting), set with nabla::set_num_threads (OpenMP and OpenBLAS
// alike), and the settings that move results recorded in the JSON context.
#include <benchmark/benchmark.h>
#include <cblas.h>

#include <cstdlib>
#include <string>

#include "nabla/parallel.hpp"

int main(int argc, char** argv) {
  const char* requested = std::getenv("NABLA_BENCH_THREADS");
  const int threads = requested != nullptr && *requested != '\0' ? std::atoi(requested) : 2;
  nabla::set_num_threads(threads);
  const char* coretype = std::getenv("OPENBLAS_CORETYPE");
  benchmark::AddCustomContext("nabla_threads", std::to_string(threads));
  benchmark::AddCustomContext("openblas_corename", openblas_get_corename());
  benchmark::AddCustomContext("OPENBLAS_CORETYPE", coretype != nullptr ? coretype : "(unset)");
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
