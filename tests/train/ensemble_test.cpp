// Ensembles (mean of probabilities, snapshots at warm-restart cycle ends) and the inference
// helpers they share with Trainer::predict and `nabla features`.
#include <gmock/gmock.h>

#include "nabla/io/safetensors.hpp"
#include "nabla/models/models.hpp"
#include "nabla/train/ensemble.hpp"
#include "nabla/train/inference.hpp"
#include "train_test_util.hpp"

namespace nabla::train_test {
namespace {

using ::testing::HasSubstr;

TEST(Ensemble, AverageOfProbabilities) {
  const Tensor a = from_vector<float>({0.9f, 0.1f, 0.2f, 0.8f}, {2, 2});
  const Tensor b = from_vector<float>({0.5f, 0.5f, 0.6f, 0.4f}, {2, 2});
  EXPECT_EQ(train::average_probabilities({a, b}).to_vector<float>(),
            (std::vector<float>{0.7f, 0.3f, 0.4f, 0.6f}));
  EXPECT_TRUE(allclose(train::average_probabilities({a}), a, 0, 0));
  try {
    train::average_probabilities({a, zeros({3, 2})});
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("member 1 has shape [3, 2]"));
  }
  EXPECT_THROW(train::average_probabilities({}), Error);
}

TEST(Ensemble, RestartCycleEnds) {
  EXPECT_EQ(train::restart_cycle_ends(10, 2, 75), (std::vector<int64_t>{10, 30, 70}));
  EXPECT_EQ(train::restart_cycle_ends(5, 1, 20), (std::vector<int64_t>{5, 10, 15, 20}));
  EXPECT_TRUE(train::restart_cycle_ends(5, 1, 4).empty());
  EXPECT_THROW(train::restart_cycle_ends(0, 1, 4), Error);
}

TEST(Ensemble, SnapshotsAtCycleEndsInOrder) {
  ScratchDir dir;
  manual_seed(1);
  auto model = spiral_mlp(8);
  auto sgd = std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1});
  optim::SGD& optimizer = *sgd;
  std::ostringstream log;
  train::Trainer trainer(model, std::move(sgd), train::cross_entropy_loss(), quiet(log, 7));
  trainer.set_scheduler(std::make_unique<optim::CosineAnnealingWarmRestarts>(optimizer, 2, 2));
  trainer.add_callback(train::snapshot_callback(dir / "snapshots", 2, 2));
  data::DataLoader loader(spirals(20), loader_options());
  trainer.fit(loader);
  // Cycles of 2 and 4 epochs end after epochs 2 and 6; epoch 7 starts a third.
  const std::vector<std::string> files = train::snapshot_files(dir / "snapshots");
  ASSERT_EQ(files.size(), 2u);
  EXPECT_THAT(files[0], HasSubstr("cycle-1.safetensors"));
  const io::SafetensorsContents second = io::load_safetensors(files[1]);
  EXPECT_EQ(second.metadata.at("epoch"), "6");
  EXPECT_EQ(second.metadata.at("cycle"), "2");
  EXPECT_EQ(second.tensors.size(), model->state_dict().size());
  EXPECT_TRUE(train::snapshot_files(dir / "none").empty());
}

TEST(Ensemble, SnapshotFilesSortByCycleNumber) {
  ScratchDir dir;
  for (const char* name : {"cycle-10.safetensors", "cycle-2.safetensors", "cycle-x.safetensors",
                           "notes.txt"})
    io::save_safetensors(dir / name, {{"w", zeros({1})}});
  const std::vector<std::string> files = train::snapshot_files(dir.path());
  ASSERT_EQ(files.size(), 2u);
  EXPECT_THAT(files[0], HasSubstr("cycle-2."));
  EXPECT_THAT(files[1], HasSubstr("cycle-10."));
}

TEST(Inference, ProbabilitiesInBatchesRestoreTheMode) {
  manual_seed(2);
  auto model = spiral_mlp(8, 0.5);
  model->train();
  const Tensor x = randn({7, 2});
  const Tensor p = train::predict_probabilities(*model, x, {}, 3);
  EXPECT_TRUE(model->is_training());
  EXPECT_EQ(p.shape(), (Shape{7, 2}));
  EXPECT_TRUE(allclose(sum(p, {1}), ones({7}), 1e-6, 1e-6));
  // Eval mode: dropout off, so batching does not change the answer.
  EXPECT_TRUE(allclose(p, train::predict_probabilities(*model, x, {}, 7), 1e-6, 1e-7));
  const Tensor shifted = train::predict_probabilities(
      *model, x, [](const Tensor& raw) { return raw * 0.0; }, 4);
  EXPECT_TRUE(allclose(shifted.narrow(0, 0, 1), shifted.narrow(0, 6, 1), 1e-6, 1e-7));
}

TEST(Inference, PenultimateFeaturesAreTheHeadsInput) {
  manual_seed(3);
  auto lenet = models::create("lenet5", {.num_classes = 10, .in_channels = 1});
  const Tensor images = randn({5, 1, 28, 28});
  const Tensor features = train::penultimate_features(*lenet, images, {}, 2);
  EXPECT_EQ(features.shape(), (Shape{5, 84}));
  // The head applied to the features gives the model's logits.
  autograd::NoGradGuard no_grad;
  lenet->eval();
  auto* head = dynamic_cast<nn::Linear*>(lenet->named_children().back().second.get());
  ASSERT_NE(head, nullptr);
  EXPECT_TRUE(allclose((*head)(features), (*lenet)(images), 1e-5, 1e-5));

  auto no_linear = std::make_shared<nn::Sequential>();
  no_linear->push_back(std::make_shared<nn::ReLU>());
  try {
    train::penultimate_features(*no_linear, images);
    FAIL();
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("calls no Linear layer"));
  }
}

}  // namespace
}  // namespace nabla::train_test
