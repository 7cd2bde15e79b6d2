// Devices from the CPU suite: what a build without CUDA (or a machine without a GPU) answers
// when asked for one, and the moves that are no-ops on the CPU. The CUDA side is tested in
// tests/cuda (nabla_cuda_tests, the cuda preset).
#include <gmock/gmock.h>

#include "backend/backend.hpp"
#include "nabla/run/config.hpp"
#include "nabla/run/setup.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;

TEST(Device, CudaIsUnavailableWithoutTheCudaBuildOrAGpu) {
#ifdef NABLA_HAS_CUDA
  if (cuda_available()) GTEST_SKIP() << "a GPU is present: tests/cuda covers this build";
#endif
  EXPECT_FALSE(cuda_available());
  EXPECT_FALSE(cuda_available());  // asked twice: never throws, same answer
}

#ifndef NABLA_HAS_CUDA
TEST(Device, WithoutCudaEveryWayToTheGpuNamesTheCudaPreset) {
  const std::vector<std::string> fragments = {"cuda", "cuda preset", "-DNABLA_CUDA=ON"};
  EXPECT_TRUE(throws_error_containing([] { backend_for(Device::CUDA); }, fragments));
  EXPECT_TRUE(throws_error_containing([] { ones({2, 3}).to(Device::CUDA); }, fragments));
  EXPECT_TRUE(throws_error_containing([] { zeros({2}, {.device = Device::CUDA}); }, fragments));
  auto model = std::make_shared<nn::Linear>(3, 2);
  EXPECT_TRUE(throws_error_containing([&] { model->to(Device::CUDA); }, fragments));
  EXPECT_EQ(model->device(), Device(Device::CPU));  // nothing moved
}
#endif

TEST(Device, ToTheSameDeviceIsTheSameTensor) {
  const Tensor x = randn({2, 3});
  EXPECT_TRUE(x.to(Device::CPU).is_same(x));
}

TEST(Device, ModuleToCpuKeepsEveryHandle) {
  auto model = std::make_shared<nn::Linear>(3, 2);
  const std::vector<Tensor> before = model->parameters();
  const Tensor weight = before[0].clone();
  EXPECT_EQ(&model->to(Device::CPU), model.get());
  EXPECT_EQ(model->device(), Device(Device::CPU));
  const std::vector<Tensor> after = model->parameters();
  ASSERT_EQ(after.size(), before.size());
  for (size_t i = 0; i < after.size(); ++i) EXPECT_TRUE(after[i].is_same(before[i]));
  EXPECT_TRUE(nabla::testing::all_close(after[0], weight, 0, 0));
}

TEST(Device, ModuleWithoutTensorsIsOnTheCpu) {
  nn::ReLU relu;
  EXPECT_EQ(relu.device(), Device(Device::CPU));
}

TEST(Device, TrainDeviceCudaIsAConfigErrorWithoutAGpu) {
  if (cuda_available()) GTEST_SKIP() << "a GPU is present: train.device = \"cuda\" is valid here";
  const run::Config config = run::Config::from_string("[train]\ndevice = \"cuda\"\n", "gpu.toml");
  EXPECT_TRUE(throws_error_containing([&] { run::make_trainer_options(config); },
                                      {"train.device = \"cuda\"", "no CUDA device",
                                       "use \"cpu\"", "gpu.toml"}));
  const run::Config typo = run::Config::from_string("[train]\ndevice = \"gpu\"\n", "typo.toml");
  EXPECT_TRUE(throws_error_containing([&] { run::make_trainer_options(typo); },
                                      {"train.device", "valid: cpu, cuda"}));
}
