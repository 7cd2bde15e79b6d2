// The CUDA random fills draw the CPU's Philox streams: the same seed gives the same numbers on
// either device (uniform and randint bit for bit; normal to float32 rounding, its log and cos
// coming from another math library), so dropout masks do not depend on the device either.
#include "cuda/parity.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;
namespace F = nabla::nn::functional;

namespace {
// Draws `make` twice from one generator state, once per device.
template <class Make> std::pair<Tensor, Tensor> both(uint64_t seed, Make make) {
  manual_seed(seed);
  const Tensor cpu = make(Device::CPU);
  manual_seed(seed);
  const Tensor gpu = make(Device::CUDA);
  return {gpu, cpu};
}
}  // namespace

TEST(CudaRandom, UniformAndRandintAreBitwiseTheCpus) {
  NABLA_REQUIRE_CUDA();
  for (DType dtype : {DType::f32, DType::f64}) {
    auto [gpu, cpu] = both(31, [dtype](Device d) { return rand({1001}, {.dtype = dtype, .device = d}); });
    EXPECT_TRUE(close(gpu, cpu, kExact, "rand"));
    auto [gpu2, cpu2] = both(32, [dtype](Device d) {
      return empty({17, 3}, {.dtype = dtype, .device = d}).uniform_(-2.5, 4.0);
    });
    EXPECT_TRUE(close(gpu2, cpu2, kExact, "uniform_"));
  }
  auto [gi, ci] = both(33, [](Device d) { return randint(-5, 7, {999}, {.dtype = DType::i64, .device = d}); });
  EXPECT_TRUE(close(gi, ci, kExact, "randint"));
}

TEST(CudaRandom, NormalMatchesTheCpuToRounding) {
  NABLA_REQUIRE_CUDA();
  auto [gpu, cpu] = both(34, [](Device d) { return randn({4097}, {.device = d}); });
  EXPECT_TRUE(close(gpu, cpu, {1e-6, 1e-6}, "randn"));
  auto [gpu64, cpu64] = both(35, [](Device d) {
    return empty({63}, {.dtype = DType::f64, .device = d}).normal_(1.0, 3.0);
  });
  EXPECT_TRUE(close(gpu64, cpu64, {1e-13, 1e-13}, "normal_"));
}

TEST(CudaRandom, StreamsContinueAcrossDevices) {
  NABLA_REQUIRE_CUDA();
  // rand on the GPU advances the generator as on the CPU: the next draw is the same too.
  manual_seed(36);
  (void)rand({5}, {.device = Device::CUDA});
  const Tensor next_gpu = rand({6}, {.device = Device::CUDA});
  manual_seed(36);
  (void)rand({5});
  const Tensor next_cpu = rand({6});
  EXPECT_TRUE(close(next_gpu, next_cpu, kExact, "second draw"));
}

TEST(CudaRandom, DropoutMasksAreTheCpus) {
  NABLA_REQUIRE_CUDA();
  const Tensor x = ones({8, 50});
  manual_seed(37);
  const Tensor cpu = F::dropout(x, 0.3, true);
  manual_seed(37);
  const Tensor gpu = F::dropout(x.to(Device::CUDA), 0.3, true);
  EXPECT_TRUE(close(gpu, cpu, kExact, "dropout"));
}
