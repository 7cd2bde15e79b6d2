// Standalone conv2d timing (not part of the build): median ms of forward and forward+backward
// for the LeNet / CNN-BN conv shapes at batch 64, with 1 and 2 threads.
//   g++ -O2 -std=c++20 -fopenmp -Iinclude dev/kernels/conv_lab.cpp build/convperf/libnabla.a
//       -L/usr/lib/x86_64-linux-gnu/openblas-openmp -Wl,-rpath,/usr/lib/x86_64-linux-gnu/openblas-openmp
//       -lopenblas -lz -o /tmp/conv_lab
// The rpath matters: without it the loader takes Debian's default libopenblas (the pthread
// build), whose own threads oversubscribe the cores inside nabla's OpenMP regions.
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <vector>

#include "nabla/autograd.hpp"
#include "nabla/nn/functional/conv.hpp"
#include "nabla/parallel.hpp"
#include "nabla/tensor.hpp"

#include "conv_cases.hpp"

using namespace nabla;

int main(int argc, char** argv) {
  // conv_lab [reps] [threads] [case index]: both thread counts and all cases when left out.
  const int reps = argc > 1 ? std::atoi(argv[1]) : 21;
  const int only_threads = argc > 2 ? std::atoi(argv[2]) : 0;
  const int only_case = argc > 3 ? std::atoi(argv[3]) : -1;
  for (int threads : {1, 2}) {
    if (only_threads && threads != only_threads) continue;
    set_num_threads(threads);
    for (int ci = 0; ci < 4; ++ci) {
      if (only_case >= 0 && ci != only_case) continue;
      const ConvCase& c = kConvCases[ci];
      Tensor x = randn({kConvBatch, c.c, c.hw, c.hw}, {.requires_grad = c.input_grad});
      Tensor w = randn({c.o, c.c, c.k, c.k}, {.requires_grad = true});
      Tensor b = randn({c.o}, {.requires_grad = true});
      const int64_t out = c.hw + 2 * c.pad - c.k + 1;
      Tensor g = randn({kConvBatch, c.o, out, out});
      auto fwd = [&] {
        autograd::NoGradGuard guard;
        Tensor y = nn::functional::conv2d(x, w, b, 1, c.pad);
      };
      auto fwd_bwd = [&] {
        Tensor y = nn::functional::conv2d(x, w, b, 1, c.pad);
        y.backward(g);
      };
      fwd();
      fwd_bwd();
      const double f = median_ms(fwd, reps), fb = median_ms(fwd_bwd, reps);
      std::printf("%-24s threads=%d  fwd %7.3f ms  fwd+bwd %7.3f ms\n", c.name, threads, f, fb);
    }
  }
}
