// Gradient clipping and the max-norm constraint inside the training loop
// (TrainerOptions::clip_grad_norm / max_norm, the config's regularization section).
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "nabla/optim/adam.hpp"
#include "nabla/parallel.hpp"
#include "nabla/random.hpp"
#include "nabla/train/trainer.hpp"
#include "train_test_util.hpp"

namespace nabla {
namespace {

train::History fit_spirals(double clip, double max_norm, std::shared_ptr<nn::Sequential>& model) {
  set_num_threads(1);
  manual_seed(0);
  const data::Dataset data = train_test::spirals(50);
  data::DataLoader loader(data, train_test::loader_options(16));
  model = train_test::spiral_mlp(16);
  std::ostringstream out;
  train::TrainerOptions options = train_test::quiet(out, 5);
  options.clip_grad_norm = clip;
  options.max_norm = max_norm;
  auto adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.05});
  train::Trainer trainer(model, std::move(adam), train::cross_entropy_loss(), options);
  return trainer.fit(loader);
}

TEST(TrainerConstraints, MaxNormBoundsEveryOutputUnit) {
  std::shared_ptr<nn::Sequential> model;
  fit_spirals(0.0, 0.5, model);
  for (const auto& [name, p] : model->named_parameters()) {
    if (p.dim() < 2) continue;
    const std::vector<float> w = p.contiguous().to_vector<float>();
    const int64_t cols = p.numel() / p.size(0);
    for (int64_t row = 0; row < p.size(0); ++row) {
      double norm = 0;
      for (int64_t c = 0; c < cols; ++c) norm += double(w[row * cols + c]) * w[row * cols + c];
      EXPECT_LE(std::sqrt(norm), 0.5 + 1e-5) << name << " row " << row;
    }
  }
}

TEST(TrainerConstraints, ClippingChangesTheTrajectory) {
  std::shared_ptr<nn::Sequential> free_model, clipped_model;
  fit_spirals(0.0, 0.0, free_model);
  fit_spirals(1e-3, 0.0, clipped_model);
  // A tiny clip norm makes every step tiny: the weights stay near their (equal) initial values.
  const Tensor w_free = free_model->named_parameters()[0].second;
  const Tensor w_clip = clipped_model->named_parameters()[0].second;
  EXPECT_NE(w_free.to_vector<float>(), w_clip.to_vector<float>());
}

}  // namespace
}  // namespace nabla
