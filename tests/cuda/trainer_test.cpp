// A short training run on the GPU equals the CPU's: the Trainer moves each batch to the model's
// device, the optimizer updates on the GPU, and metrics, evaluation and predictions come back
// to the host.
#include "cuda/parity.hpp"
#include "train/train_test_util.hpp"

using namespace nabla;
using namespace nabla::testing::cuda;

namespace {

struct TrainedRun {
  std::shared_ptr<nn::Sequential> model;
  train::History history;
  train::Evaluation evaluation;
  Tensor probabilities;
};

// Three SGD-with-momentum steps (48 samples, batches of 16, one epoch) on `device`.
TrainedRun three_steps(Device device) {
  const data::Dataset data = train_test::spirals(24);
  manual_seed(61);
  TrainedRun run;
  run.model = train_test::spiral_mlp(16);
  run.model->to(device);  // before the optimizer, as torch advises
  auto sgd = std::make_unique<optim::SGD>(run.model->parameters(),
                                          optim::SGDOptions{.lr = 0.1, .momentum = 0.9});
  std::ostringstream out;
  train::TrainerOptions options = train_test::quiet(out, 1);
  options.monitor = true;  // histograms read GPU tensors through host copies
  train::Trainer trainer(run.model, std::move(sgd), train::cross_entropy_loss(), options);
  data::DataLoader loader(data, train_test::loader_options(16));
  run.history = trainer.fit(loader, &data);
  run.evaluation = trainer.evaluate(data);
  run.probabilities = trainer.predict(data.inputs);
  return run;
}

}  // namespace

TEST(CudaTrainer, ThreeStepsEqualTheCpus) {
  NABLA_REQUIRE_CUDA();
  const TrainedRun cpu = three_steps(Device::CPU), gpu = three_steps(Device::CUDA);
  EXPECT_EQ(gpu.model->device(), Device(Device::CUDA));
  ASSERT_EQ(gpu.history.step_loss.size(), 3u);
  for (size_t i = 0; i < 3; ++i)
    EXPECT_NEAR(gpu.history.step_loss[i].second, cpu.history.step_loss[i].second, 1e-5);
  const nn::StateDict want = cpu.model->state_dict(), got = gpu.model->state_dict();
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    EXPECT_TRUE(close(got[i].second, want[i].second, {1e-4, 1e-5}, got[i].first));
  EXPECT_NEAR(gpu.evaluation.loss, cpu.evaluation.loss, 1e-5);
  // At most one of the 48 predictions may flip where two logits are within rounding.
  EXPECT_NEAR(gpu.evaluation.accuracy, cpu.evaluation.accuracy, 1.0 / 48 + 1e-12);
  EXPECT_EQ(gpu.evaluation.predictions.device(), Device(Device::CPU));
  EXPECT_EQ(gpu.probabilities.device(), Device(Device::CPU));
  EXPECT_TRUE(nabla::testing::all_close(gpu.probabilities, cpu.probabilities, 1e-4, 1e-5));
}
