// nabla against the raw engines it stands on, in one process under one thread setting:
//   matmul  nabla::matmul vs cblas_sgemm (the same OpenMP OpenBLAS the library links), float32
//           n×n, n = 256, 512, 1024; counter FLOP/s = 2·n³ per iteration.
//   add     nabla::add on 1M floats vs memcpy of one 4 MB operand; bytes/s counts all traffic:
//           add reads 2×4 MB and writes 4 MB (12 MB), memcpy reads 4 MB and writes 4 MB (8 MB).
//   tanh    nabla's exact float32 tanh (libm's tanhf per element) and approximate = "rational"
//           (src/backend/rational_tanh.hpp) on 1M floats in [-5, 5]; items/s = elements/s.
// Inputs are made outside the timed loop; nabla's outputs come from its caching allocator
// inside it (part of an op's cost). Threads: NABLA_BENCH_THREADS (default 2, the headline),
// set with nabla::set_num_threads, which sets OpenMP and OpenBLAS alike.
// Every benchmark uses real time: OpenMP workers do not show up in the main thread's CPU time.
#include <benchmark/benchmark.h>
#include <cblas.h>
#include <omp.h>

#include <cstring>
#include <string>
#include <vector>

#include "nabla/nabla.hpp"

namespace {

constexpr int64_t kAddElements = int64_t{1} << 20;  // 1M floats = 4 MB per operand

void set_flops(benchmark::State& state, int64_t n) {
  state.counters["FLOP/s"] = benchmark::Counter(2.0 * static_cast<double>(n * n * n),
                                                benchmark::Counter::kIsIterationInvariantRate);
}

void BM_nabla_matmul(benchmark::State& state) {
  const int64_t n = state.range(0);
  const nabla::Tensor a = nabla::randn({n, n});
  const nabla::Tensor b = nabla::randn({n, n});
  for (auto _ : state) {
    nabla::Tensor c = nabla::matmul(a, b);
    benchmark::DoNotOptimize(c.data_ptr());
  }
  set_flops(state, n);
}

// The baseline: the one BLAS call nabla's matmul makes, into a buffer allocated once.
void BM_openblas_sgemm(benchmark::State& state) {
  const int64_t n = state.range(0);
  const nabla::Tensor a = nabla::randn({n, n});
  const nabla::Tensor b = nabla::randn({n, n});
  std::vector<float> c(n * n);
  const auto ni = static_cast<blasint>(n);
  for (auto _ : state) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, ni, ni, ni, 1.0f, a.data<float>(), ni,
                b.data<float>(), ni, 0.0f, c.data(), ni);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  set_flops(state, n);
}

void BM_nabla_add(benchmark::State& state) {
  const nabla::Tensor a = nabla::randn({kAddElements});
  const nabla::Tensor b = nabla::randn({kAddElements});
  for (auto _ : state) {
    nabla::Tensor c = a + b;
    benchmark::DoNotOptimize(c.data_ptr());
  }
  state.SetBytesProcessed(state.iterations() * 3 * kAddElements * int64_t{sizeof(float)});
}

// One operand's worth of memcpy, single-threaded as libc does it: the "memcpy bandwidth" the
// aim is stated against. Destination written once before timing, so no page faults inside.
void BM_memcpy(benchmark::State& state) {
  const std::vector<float> src(kAddElements, 1.0f);
  std::vector<float> dst(kAddElements, 0.0f);
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), kAddElements * sizeof(float));
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 2 * kAddElements * int64_t{sizeof(float)});
}

// The same copy split across the OpenMP threads: what the cores together can move, a
// reference for a threaded elementwise op (not the baseline of the aim).
void BM_memcpy_threads(benchmark::State& state) {
  const std::vector<float> src(kAddElements, 1.0f);
  std::vector<float> dst(kAddElements, 0.0f);
  for (auto _ : state) {
#pragma omp parallel
    {
      const int64_t threads = omp_get_num_threads();
      const int64_t chunk = (kAddElements + threads - 1) / threads;
      const int64_t begin = std::min(kAddElements, omp_get_thread_num() * chunk);
      const int64_t end = std::min(kAddElements, begin + chunk);
      std::memcpy(dst.data() + begin, src.data() + begin, (end - begin) * sizeof(float));
    }
    benchmark::DoNotOptimize(dst.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(state.iterations() * 2 * kAddElements * int64_t{sizeof(float)});
}

void tanh_bench(benchmark::State& state, const std::string& approximate) {
  nabla::manual_seed(0);
  const nabla::Tensor x = nabla::rand({kAddElements}) * 10.0 - 5.0;
  for (auto _ : state) {
    nabla::Tensor y = nabla::nn::functional::tanh(x, approximate);
    benchmark::DoNotOptimize(y.data_ptr());
  }
  state.SetItemsProcessed(state.iterations() * kAddElements);
}
void BM_nabla_tanh(benchmark::State& state) { tanh_bench(state, "none"); }
void BM_nabla_tanh_rational(benchmark::State& state) { tanh_bench(state, "rational"); }

BENCHMARK(BM_nabla_matmul)->Arg(256)->Arg(512)->Arg(1024)->UseRealTime();
BENCHMARK(BM_openblas_sgemm)->Arg(256)->Arg(512)->Arg(1024)->UseRealTime();
BENCHMARK(BM_nabla_add)->UseRealTime();
BENCHMARK(BM_memcpy)->UseRealTime();
BENCHMARK(BM_memcpy_threads)->UseRealTime();
BENCHMARK(BM_nabla_tanh)->UseRealTime();
BENCHMARK(BM_nabla_tanh_rational)->UseRealTime();

}  // namespace
