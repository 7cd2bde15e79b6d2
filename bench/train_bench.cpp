// One training step (zero_grad, forward, cross-entropy, backward, optimizer step) of the
// reference models of shared/BENCHMARKING.md at batch 64: MLP and LeNet-5 with SGD momentum
// 0.9, CNN-BN with Adam 1e-3; and inference (eval mode, no gradients, forward only) at batch
// 256 and at batch 1, whose samples/s is 1 / latency. Counter samples/s. Inputs are random
// 1x28x28 images and labels made once outside the timed loop: throughput does not depend on
// pixel values.
// bench/torch/train_bench.py is the PyTorch twin (the same models, optimizers and batch).
#include <benchmark/benchmark.h>

#include <string>

#include "nabla/models/models.hpp"
#include "nabla/nabla.hpp"
#include "nabla/nn/functional.hpp"
#include "nabla/optim/adam.hpp"
#include "nabla/optim/sgd.hpp"

namespace {

constexpr int64_t kBatch = 64;

void train_step(benchmark::State& state, const std::string& model_name, bool adam) {
  nabla::manual_seed(0);
  auto model = nabla::models::create(model_name);
  std::unique_ptr<nabla::optim::Optimizer> optimizer;
  if (adam)
    optimizer = std::make_unique<nabla::optim::Adam>(model->parameters(),
                                                     nabla::optim::AdamOptions{.lr = 1e-3});
  else
    optimizer = std::make_unique<nabla::optim::SGD>(
        model->parameters(), nabla::optim::SGDOptions{.lr = 0.01, .momentum = 0.9});
  const nabla::Tensor images = nabla::randn({kBatch, 1, 28, 28});
  const nabla::Tensor labels = nabla::randint(0, 10, {kBatch});
  for (auto _ : state) {
    optimizer->zero_grad();
    const nabla::Tensor loss = nabla::nn::functional::cross_entropy((*model)(images), labels);
    loss.backward();
    optimizer->step();
    benchmark::DoNotOptimize(loss.data_ptr());
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(kBatch),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void inference(benchmark::State& state, const std::string& model_name, int64_t batch) {
  nabla::manual_seed(0);
  auto model = nabla::models::create(model_name);
  model->eval();
  const nabla::Tensor images = nabla::randn({batch, 1, 28, 28});
  const nabla::autograd::NoGradGuard no_grad;
  for (auto _ : state) {
    const nabla::Tensor logits = (*model)(images);
    benchmark::DoNotOptimize(logits.data_ptr());
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(batch),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void BM_train_mlp(benchmark::State& state) { train_step(state, "mlp", false); }
void BM_train_lenet5(benchmark::State& state) { train_step(state, "lenet5", false); }
void BM_train_cnn_bn(benchmark::State& state) { train_step(state, "cnn_bn", true); }

void BM_infer_mlp_b256(benchmark::State& state) { inference(state, "mlp", 256); }
void BM_infer_lenet5_b256(benchmark::State& state) { inference(state, "lenet5", 256); }
void BM_infer_cnn_bn_b256(benchmark::State& state) { inference(state, "cnn_bn", 256); }
void BM_infer_mlp_b1(benchmark::State& state) { inference(state, "mlp", 1); }
void BM_infer_lenet5_b1(benchmark::State& state) { inference(state, "lenet5", 1); }
void BM_infer_cnn_bn_b1(benchmark::State& state) { inference(state, "cnn_bn", 1); }

BENCHMARK(BM_train_mlp)->UseRealTime();
BENCHMARK(BM_train_lenet5)->UseRealTime();
BENCHMARK(BM_train_cnn_bn)->UseRealTime();
BENCHMARK(BM_infer_mlp_b256)->UseRealTime();
BENCHMARK(BM_infer_lenet5_b256)->UseRealTime();
BENCHMARK(BM_infer_cnn_bn_b256)->UseRealTime();
BENCHMARK(BM_infer_mlp_b1)->UseRealTime();
BENCHMARK(BM_infer_lenet5_b1)->UseRealTime();
BENCHMARK(BM_infer_cnn_bn_b1)->UseRealTime();

}  // namespace
