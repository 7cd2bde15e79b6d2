// One training step of a C-class output layer on 128 features at batch 256 (zero_grad, forward,
// loss, backward, plain SGD step), C = 1,000, 10,000 and 100,000: the full softmax
// (Linear(128, C) + cross-entropy) against hierarchical softmax over a balanced class tree
// (nn::HierarchicalSoftmax::loss, which reads only each target's ~log2 C path). Counter
// samples/s. bench/torch/hsoftmax_bench.py is the PyTorch twin: the same full softmax, and
// the same hierarchical softmax written with index_select, bmm and BCE-with-logits, as a
// PyTorch user would (PyTorch has none built in).
#include <benchmark/benchmark.h>

#include "nabla/nabla.hpp"
#include "nabla/optim/sgd.hpp"

namespace {

constexpr int64_t kBatch = 256, kFeatures = 128;

template <class Loss>
void step(benchmark::State& state, nabla::nn::Module& layer, Loss loss_of) {
  nabla::optim::SGD optimizer(layer.parameters(), {.lr = 0.1});
  const int64_t classes = state.range(0);
  const nabla::Tensor features = nabla::randn({kBatch, kFeatures});
  const nabla::Tensor labels = nabla::randint(0, classes, {kBatch});
  for (auto _ : state) {
    optimizer.zero_grad();
    const nabla::Tensor loss = loss_of(features, labels);
    loss.backward();
    optimizer.step();
    benchmark::DoNotOptimize(loss.data_ptr());
  }
  state.counters["samples/s"] = benchmark::Counter(static_cast<double>(kBatch),
                                                   benchmark::Counter::kIsIterationInvariantRate);
}

void BM_step_softmax(benchmark::State& state) {
  nabla::manual_seed(0);
  nabla::nn::Linear layer(kFeatures, state.range(0));
  step(state, layer, [&](const nabla::Tensor& x, const nabla::Tensor& y) {
    return nabla::nn::functional::cross_entropy(layer(x), y);
  });
}

void BM_step_hsoftmax(benchmark::State& state) {
  nabla::manual_seed(0);
  nabla::nn::HierarchicalSoftmax layer(kFeatures, state.range(0));
  step(state, layer, [&](const nabla::Tensor& x, const nabla::Tensor& y) { return layer.loss(x, y); });
}

BENCHMARK(BM_step_softmax)->Arg(1000)->Arg(10000)->Arg(100000)->UseRealTime();
BENCHMARK(BM_step_hsoftmax)->Arg(1000)->Arg(10000)->Arg(100000)->UseRealTime();

}  // namespace
