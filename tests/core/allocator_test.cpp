// The caching allocator: steady-state loops reuse memory instead of calling the system.
#include "backend/cpu/caching_allocator.hpp"
#include "support/harness.hpp"

using namespace nabla;

TEST(Allocator, SizeClasses) {
  using cpu::CachingAllocator;
  EXPECT_EQ(CachingAllocator::size_class(1), 64u);
  EXPECT_EQ(CachingAllocator::size_class(64), 64u);
  EXPECT_EQ(CachingAllocator::size_class(65), 128u);
  const size_t big = (size_t{1} << 22) + 1;  // just over 4 MiB: next quarter step, 5 MiB
  EXPECT_EQ(CachingAllocator::size_class(big), size_t{5} << 20);
}

TEST(Allocator, SteadyStateTrainingStepCallsNoMalloc) {
  manual_seed(0);
  Tensor w = randn({256, 128}, {.requires_grad = true});
  Tensor x = randn({64, 256});
  auto step = [&] {
    Tensor loss = relu(matmul(x, w)).sum();
    loss.backward();
    autograd::NoGradGuard no_grad;
    w.add_(w.grad(), -1e-3);
    w.grad().zero_();
  };
  step();
  step();  // the second step may still fill size classes the first one freed late
  const uint64_t before = memory_stats().system_allocations;
  for (int i = 0; i < 5; ++i) step();
  EXPECT_EQ(memory_stats().system_allocations, before);
}

TEST(Allocator, EmptyCacheReturnsCachedBlocks) {
  { Tensor t = zeros({1 << 16}); }
  EXPECT_GT(memory_stats().bytes_cached, 0u);
  empty_cache();
  EXPECT_EQ(memory_stats().bytes_cached, 0u);
}
