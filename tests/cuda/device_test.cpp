// The CUDA device itself: the op list against the CPU's, the caching allocator's counters,
// moves between host and GPU (every dtype, views, autograd through .to), Module::to, and the
// host-only accessors' errors.
#include <gmock/gmock.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include "backend/backend.hpp"
#include "cuda/parity.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;
using nabla::testing::throws_error_containing;

TEST(CudaDevice, SupportsTheCpusOpList) {
  NABLA_REQUIRE_CUDA();
  Backend& cpu = backend_for(Device::CPU);
  Backend& gpu = backend_for(Device::CUDA);
  EXPECT_EQ(gpu.kind(), Device::CUDA);
  for (int i = 0; i < kOpCount; ++i) {
    const OpId op = static_cast<OpId>(i);
    for (DType dtype : {DType::f32, DType::f64, DType::i64, DType::b8})
      EXPECT_EQ(gpu.supports(op, dtype), cpu.supports(op, dtype)) << op_name(op) << " " << dtype;
  }
}

TEST(CudaDevice, OnlyCudaZero) {
  NABLA_REQUIRE_CUDA();
  EXPECT_TRUE(throws_error_containing([] { backend_for(Device(Device::CUDA, 1)); },
                                      {"cuda:1", "CUDA_VISIBLE_DEVICES=1"}));
}

TEST(CudaDevice, RoundTripsKeepEveryDtypeAndView) {
  NABLA_REQUIRE_CUDA();
  manual_seed(51);
  const Tensor f = randn({3, 4});
  for (const Tensor& t : {f, f.to(DType::f64), randint(-9, 9, {5}), gt(f, zeros({}))}) {
    const Tensor gpu = t.to(Device::CUDA);
    EXPECT_EQ(gpu.device(), Device(Device::CUDA));
    EXPECT_EQ(gpu.dtype(), t.dtype());
    EXPECT_TRUE(nabla::testing::all_close(gpu.to(Device::CPU), t, 0, 0));
  }
  // A transposed, a sliced and an empty tensor.
  EXPECT_TRUE(nabla::testing::all_close(f.t().to(Device::CUDA).to(Device::CPU), f.t(), 0, 0));
  const Tensor part = f.slice(1, 1, 4, 2);
  EXPECT_TRUE(nabla::testing::all_close(part.to(Device::CUDA).to(Device::CPU), part, 0, 0));
  EXPECT_EQ(zeros({0, 3}).to(Device::CUDA).to(Device::CPU).shape(), (Shape{0, 3}));
  EXPECT_DOUBLE_EQ(full({}, 2.5).to(Device::CUDA).item(), 2.5);
  EXPECT_EQ(f.to(Device::CUDA).to_vector<float>(), f.to_vector<float>());
}

TEST(CudaDevice, ToIsDifferentiable) {
  NABLA_REQUIRE_CUDA();
  const Tensor x = randn({4}, {.requires_grad = true});
  const Tensor y = (x.to(Device::CUDA) * 3.0).sum();
  y.backward();
  ASSERT_TRUE(x.grad().defined());
  EXPECT_EQ(x.grad().device(), Device(Device::CPU));
  EXPECT_TRUE(nabla::testing::all_close(x.grad(), full({4}, 3.0), 0, 0));
}

TEST(CudaDevice, HostAccessorsCopyOrSayHow) {
  NABLA_REQUIRE_CUDA();
  const Tensor gpu = arange(6).reshape({2, 3}).to(Device::CUDA);
  EXPECT_TRUE(throws_error_containing([&] { (void)gpu.data<float>(); },
                                      {"data<T>()", "cuda:0", ".to(Device::CPU)"}));
  std::ostringstream printed;
  printed << gpu;
  EXPECT_THAT(printed.str(), ::testing::HasSubstr("[3.0000, 4.0000, 5.0000]"));
  // copy_ and add_ take a source on the other device.
  const Tensor target = zeros({2, 3}, {.device = Device::CUDA});
  target.copy_(arange(6).reshape({2, 3}));
  target.add_(ones({3}));
  EXPECT_EQ(target.to_vector<float>(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(throws_error_containing([&] { (void)(gpu + ones({2, 3})); },
                                      {"cuda:0", "cpu", ".to(Device)"}));
}

TEST(CudaDevice, AllocatorCachesBlocks) {
  NABLA_REQUIRE_CUDA();
  empty_cache(Device::CUDA);
  const MemoryStats start = memory_stats(Device::CUDA);
  EXPECT_EQ(start.bytes_cached, 0u);
  { const Tensor a = empty({1000}, {.device = Device::CUDA}); }
  const MemoryStats freed = memory_stats(Device::CUDA);
  EXPECT_GE(freed.bytes_cached, 4000u);
  EXPECT_EQ(freed.bytes_in_use, start.bytes_in_use);
  { const Tensor b = empty({1000}, {.device = Device::CUDA}); }  // the cached block again
  EXPECT_EQ(memory_stats(Device::CUDA).system_allocations, freed.system_allocations);
  empty_cache(Device::CUDA);
  EXPECT_EQ(memory_stats(Device::CUDA).bytes_cached, 0u);
  // The host's counters are apart.
  EXPECT_EQ(memory_stats(Device::CPU).bytes_in_use, memory_stats().bytes_in_use);
}

TEST(CudaDevice, ModuleToMovesInPlace) {
  NABLA_REQUIRE_CUDA();
  manual_seed(52);
  auto model = std::make_shared<nn::Sequential>();
  auto first = std::make_shared<nn::Linear>(4, 3);
  model->push_back(first);
  model->push_back(std::make_shared<nn::BatchNorm1d>(3));
  const nn::StateDict before = model->state_dict();
  std::vector<Tensor> values;
  for (const auto& [name, t] : before) values.push_back(t.clone());
  EXPECT_EQ(&model->to(Device::CUDA), model.get());
  EXPECT_EQ(model->device(), Device(Device::CUDA));
  const nn::StateDict after = model->state_dict();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) {
    EXPECT_TRUE(after[i].second.is_same(before[i].second)) << after[i].first;  // same handles
    EXPECT_EQ(after[i].second.device(), Device(Device::CUDA)) << after[i].first;
    EXPECT_TRUE(nabla::testing::all_close(after[i].second, values[i], 0, 0)) << after[i].first;
  }
  // The layer's own handles moved too, so forward runs on the GPU; and back again.
  const Tensor y = (*first)(randn({5, 4}).to(Device::CUDA));
  EXPECT_EQ(y.device(), Device(Device::CUDA));
  model->to(Device::CPU);
  EXPECT_EQ(first->parameters()[0].device(), Device(Device::CPU));
  // load_state_dict from a host state dict into a GPU model.
  auto other = std::make_shared<nn::Linear>(4, 3);
  other->to(Device::CUDA);
  other->load_state_dict(first->state_dict());
  EXPECT_TRUE(nabla::testing::all_close(other->parameters()[0], first->parameters()[0], 0, 0));
}

// copy_from_host_async: the host buffer is reused at once (the bytes were staged), more copies
// are in flight than the staging keeps buffers (the oldest is waited for), the destinations are
// blocks the compute stream has just freed, and order_after_copies() puts them before the reads.
TEST(CudaDevice, AsyncCopiesArriveBeforeTheWorkOrderedAfterThem) {
  NABLA_REQUIRE_CUDA();
  Backend& gpu = backend_for(Device::CUDA);
  std::vector<float> host(70000);  // > 64 KiB: buffers of more than one size
  std::vector<Tensor> copies;
  for (int round = 0; round < 20; ++round) {
    const int64_t n = round % 2 == 0 ? 1000 : 70000;
    { const Tensor busy = exp(randn({n}, {.device = Device::CUDA})); }  // its block, freed
    for (int64_t i = 0; i < n; ++i) host[i] = static_cast<float>(round * 100000 + i);
    Tensor out = empty({n}, {.device = Device::CUDA});
    gpu.copy_from_host_async(out.data_ptr(), host.data(), static_cast<size_t>(n) * sizeof(float));
    std::fill(host.begin(), host.end(), -1.0f);  // staged: overwriting changes nothing
    copies.push_back(out);
  }
  gpu.order_after_copies();
  for (int round = 0; round < 20; ++round) {
    const std::vector<float> got = (copies[round] + 0.0).to(Device::CPU).to_vector<float>();
    ASSERT_EQ(got.size(), round % 2 == 0 ? 1000u : 70000u);
    for (size_t i = 0; i < got.size(); ++i)
      ASSERT_EQ(got[i], static_cast<float>(round * 100000 + static_cast<int64_t>(i)))
          << "round " << round << ", element " << i;
  }
}
