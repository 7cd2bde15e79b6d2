// StagedBatch, the trainer's double buffering: on the CPU a batch is transformed and used where
// it is (no copy), and its tensors are refused before ready(). The CUDA path, with its copy
// stream, runs in tests/cuda (CudaDevice.AsyncCopies..., CudaTrainer.ThreeStepsEqualTheCpus).
#include <gtest/gtest.h>

#include "support/harness.hpp"
#include "train/staged_batch.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;

TEST(StagedBatch, OnTheCpuTheTransformedBatchIsUsedInPlace) {
  data::Batch batch{.inputs = from_vector<float>({1, 2, 3, 4}).reshape({2, 2}),
                    .targets = from_vector<int64_t>({0, 1}),
                    .indices = {7, 3}};
  const Tensor targets = batch.targets;
  train::detail::StagedBatch staged(std::move(batch), [](const Tensor& x) { return x * 2.0; },
                                    Device::CPU);
  EXPECT_TRUE(throws_error_containing([&] { staged.inputs(); }, {"before ready()"}));
  staged.ready();
  EXPECT_TRUE(nabla::testing::all_close(staged.inputs(),
                                        from_vector<float>({2, 4, 6, 8}).reshape({2, 2}), 0, 0));
  EXPECT_TRUE(staged.targets().is_same(targets));  // no copy for a CPU model
  EXPECT_EQ(staged.host().indices, (std::vector<int64_t>{7, 3}));
  EXPECT_TRUE(nabla::testing::all_close(staged.host().inputs,
                                        from_vector<float>({1, 2, 3, 4}).reshape({2, 2}), 0, 0));
}
