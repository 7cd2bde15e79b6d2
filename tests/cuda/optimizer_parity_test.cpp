// The fused optimizer kernels on CUDA against the CPU's: three steps of every optimizer, with
// the options that switch on each branch of its update (momentum, Nesterov, centering,
// AMSGrad, decoupled decay, maximize), from the same parameters and gradients.
#include <functional>

#include "cuda/parity.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;

namespace {

using MakeOptimizer = std::function<std::unique_ptr<optim::Optimizer>(std::vector<Tensor>)>;

// Three steps on a loss whose gradient changes with the parameter; the parameters after them.
Tensor after_three_steps(const MakeOptimizer& make, Device device) {
  manual_seed(41);
  const Tensor p = randn({5, 7}).to(device).requires_grad_(true);
  const Tensor target = randn({5, 7}).to(device);
  auto optimizer = make({p});
  for (int step = 0; step < 3; ++step) {
    optimizer->zero_grad();
    const Tensor loss = ((p - target) * (p - target)).sum() + (p * p * p).sum() * 0.1;
    loss.backward();
    optimizer->step();
  }
  return p.detach();
}

::testing::AssertionResult same_steps(const MakeOptimizer& make) {
  return close(after_three_steps(make, Device::CUDA), after_three_steps(make, Device::CPU),
               {2e-5, 2e-6}, "parameters after three steps");
}

template <class O, class Options> MakeOptimizer maker(Options options) {
  return [options](std::vector<Tensor> params) {
    return std::make_unique<O>(std::move(params), options);
  };
}

}  // namespace

TEST(CudaParity, Sgd) {
  NABLA_REQUIRE_CUDA();
  EXPECT_TRUE(same_steps(maker<optim::SGD>(optim::SGDOptions{.lr = 0.05})));
  EXPECT_TRUE(same_steps(maker<optim::SGD>(
      optim::SGDOptions{.lr = 0.05, .momentum = 0.9, .dampening = 0.1, .weight_decay = 0.01})));
  EXPECT_TRUE(same_steps(maker<optim::SGD>(
      optim::SGDOptions{.lr = 0.05, .momentum = 0.9, .nesterov = true, .maximize = true})));
}

TEST(CudaParity, AdagradAndAdadelta) {
  NABLA_REQUIRE_CUDA();
  EXPECT_TRUE(same_steps(maker<optim::Adagrad>(
      optim::AdagradOptions{.lr = 0.1, .lr_decay = 0.01, .weight_decay = 0.01})));
  EXPECT_TRUE(same_steps(maker<optim::Adadelta>(optim::AdadeltaOptions{.weight_decay = 0.01})));
}

TEST(CudaParity, Rmsprop) {
  NABLA_REQUIRE_CUDA();
  EXPECT_TRUE(same_steps(maker<optim::RMSprop>(optim::RMSpropOptions{})));
  EXPECT_TRUE(same_steps(maker<optim::RMSprop>(
      optim::RMSpropOptions{.lr = 0.01, .momentum = 0.5, .centered = true})));
}

TEST(CudaParity, AdamAndAdamW) {
  NABLA_REQUIRE_CUDA();
  EXPECT_TRUE(same_steps(maker<optim::Adam>(optim::AdamOptions{.lr = 0.01})));
  EXPECT_TRUE(same_steps(maker<optim::Adam>(
      optim::AdamOptions{.lr = 0.01, .weight_decay = 0.1, .amsgrad = true})));
  EXPECT_TRUE(same_steps(maker<optim::AdamW>(optim::AdamWOptions{.lr = 0.01})));
}
