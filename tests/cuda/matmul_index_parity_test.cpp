// CUDA against CPU for matmul through cuBLAS (every operand layout the op passes: contiguous,
// transposed, broadcast batches, 1-D) and for the indexing ops and their scatter-add backward.
#include "cuda/parity.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;
using nabla::testing::throws_error_containing;

namespace {
// cuBLAS and OpenBLAS sum a k-long dot product in different orders.
constexpr Tolerance kGemm{1e-4, 1e-5};
}  // namespace

TEST(CudaParity, MatmulLayouts) {
  NABLA_REQUIRE_CUDA();
  manual_seed(21);
  const Tensor a = randn_leaf({7, 33}), b = randn_leaf({33, 5});
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); }, {a, b}, kGemm));
  // Transposed operands go to cuBLAS as transpose flags.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0].t(), v[1].t()); },
                          {randn_leaf({33, 7}), randn_leaf({5, 33})}, kGemm));
  // Every other column: no BLAS layout, copied first.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0].slice(1, 0, 66, 2), v[1]); },
                          {randn_leaf({7, 66}), b}, kGemm));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {randn_leaf({33}), b}, kGemm));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {a, randn_leaf({33})}, kGemm));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {randn_leaf({33}), randn_leaf({33})}, kGemm));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {randn_leaf({4, 0}), randn_leaf({0, 3})}, kExact));
}

TEST(CudaParity, BatchedMatmul) {
  NABLA_REQUIRE_CUDA();
  manual_seed(22);
  // One strided-batched call: contiguous batches, and a batch broadcast over one operand.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {randn_leaf({3, 4, 6, 5}), randn_leaf({3, 4, 5, 2})}, kGemm));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {randn_leaf({6, 6, 5}), randn_leaf({1, 5, 2})}, kGemm));
  // Broadcast along an inner batch dim only: one call per product.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {randn_leaf({3, 1, 6, 5}), randn_leaf({1, 4, 5, 2})}, kGemm));
  // [..., m, k] @ [k, n] folds the batch into m.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1]); },
                          {randn_leaf({2, 9, 8}), randn_leaf({8, 3})}, kGemm));
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return matmul(v[0], v[1].transpose(-1, -2)); },
                          {randn_leaf({2, 9, 8}, DType::f64), randn_leaf({2, 3, 8}, DType::f64)},
                          kFloat64));
}

TEST(CudaParity, LinearLayer) {
  NABLA_REQUIRE_CUDA();
  manual_seed(23);
  auto cpu = std::make_shared<nn::Linear>(20, 7);
  auto gpu = std::make_shared<nn::Linear>(20, 7);
  gpu->load_state_dict(cpu->state_dict());
  gpu->to(Device::CUDA);
  const Tensor x = randn({11, 20});
  const Tensor want = (*cpu)(x), got = (*gpu)(x.to(Device::CUDA));
  EXPECT_TRUE(close(got, want, kGemm, "forward"));
  want.sum().backward();
  got.sum().backward();
  const auto cpu_params = cpu->parameters(), gpu_params = gpu->parameters();
  for (size_t i = 0; i < cpu_params.size(); ++i)
    EXPECT_TRUE(close(gpu_params[i].grad(), cpu_params[i].grad(), kGemm, "parameter gradient"));
}

TEST(CudaParity, IndexSelectAndGather) {
  NABLA_REQUIRE_CUDA();
  manual_seed(24);
  const Tensor x = randn_leaf({6, 5, 4});
  // Repeated indices: the backward's index_add adds twice into one row, in the CPU's order.
  const Tensor rows = from_vector<int64_t>({3, 0, 3, 2, 3});
  for (int64_t dim = 0; dim < 3; ++dim)
    EXPECT_TRUE(matches_cpu([dim](const Inputs& v) { return index_select(v[0], dim, v[1]); },
                            {x, rows}, kExact));
  for (int64_t dim = 0; dim < 3; ++dim) {
    Shape shape = x.shape();
    shape[dim] = 7;  // more picks than the dim has: repeats
    const Tensor index = randint(0, x.size(dim), shape);
    EXPECT_TRUE(matches_cpu([dim](const Inputs& v) { return gather(v[0], dim, v[1]); },
                            {x, index}, kExact));
  }
  // A smaller index than the input along the other dims, and a transposed input.
  EXPECT_TRUE(matches_cpu([](const Inputs& v) { return gather(v[0].transpose(0, 1), 1, v[1]); },
                          {x, randint(0, 6, {3, 2, 4})}, kExact));
}

TEST(CudaParity, OutOfRangeIndexIsTheCpusError) {
  NABLA_REQUIRE_CUDA();
  const Tensor x = ones({3, 2}, {.device = Device::CUDA});
  const Tensor bad = from_vector<int64_t>({0, 3}).to(Device::CUDA);
  EXPECT_TRUE(throws_error_containing([&] { index_select(x, 0, bad); },
                                      {"index_select", "index 3 is out of range", "size 3"}));
  const Tensor negative = from_vector<int64_t>({-1, 0}, {2, 1}).to(Device::CUDA);
  EXPECT_TRUE(throws_error_containing([&] { gather(x, 1, negative); },
                                      {"gather", "index -1 is out of range"}));
}
