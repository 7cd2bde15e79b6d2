// train::step_graph_dot draws one training step without a trace: with batch norm (running
// statistics) and dropout (the global generator) in the model, a run that draws the graph first
// trains bit for bit as one that does not.
#include <cstring>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/parallel.hpp"
#include "nabla/train/inspect.hpp"
#include "train/train_test_util.hpp"

namespace nabla {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using train_test::bitwise_equal;
using train_test::quiet;

std::shared_ptr<nn::Sequential> norm_dropout_mlp() {
  auto model = std::make_shared<nn::Sequential>();
  model->push_back(std::make_shared<nn::Linear>(2, 16));
  model->push_back(std::make_shared<nn::BatchNorm1d>(16));
  model->push_back(std::make_shared<nn::ReLU>());
  model->push_back(std::make_shared<nn::Dropout>(0.5));
  model->push_back(std::make_shared<nn::Linear>(16, 2));
  return model;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
  const Tensor x = a.contiguous(), y = b.contiguous();
  return x.shape() == y.shape() && x.dtype() == y.dtype() &&
         std::memcmp(x.data_ptr(), y.data_ptr(), static_cast<size_t>(x.numel()) * dtype_size(x.dtype())) == 0;
}

// Two epochs of SGD from seed 5, drawing the graph first when `draw`.
std::shared_ptr<nn::Sequential> trained(const data::Dataset& data, bool draw) {
  manual_seed(5);
  auto model = norm_dropout_mlp();
  if (draw) {
    const GeneratorState before = generator_state();
    std::vector<Tensor> buffers_before;
    for (const auto& [name, buffer] : model->named_buffers()) buffers_before.push_back(buffer.clone());
    model->eval();
    const std::string dot = train::step_graph_dot(*model, train::cross_entropy_loss(),
                                                  data.inputs.narrow(0, 0, 16),
                                                  data.targets.narrow(0, 0, 16));
    EXPECT_THAT(dot, HasSubstr("batch_norm"));
    EXPECT_THAT(dot, HasSubstr("\"mul\\l"));  // dropout: the input times its drawn mask
    EXPECT_THAT(dot, Not(HasSubstr("running_mean"))) << "buffers get no gradient";
    EXPECT_THAT(dot, HasSubstr("\"0.weight\\l"));
    EXPECT_FALSE(model->is_training()) << "the mode is restored";
    EXPECT_EQ(generator_state().offset, before.offset) << "dropout's draws are given back";
    const auto buffers = model->named_buffers();
    for (size_t i = 0; i < buffers.size(); ++i)
      EXPECT_TRUE(same_bytes(buffers[i].second, buffers_before[i])) << buffers[i].first;
    for (const auto& [name, parameter] : model->named_parameters())
      EXPECT_FALSE(parameter.grad().defined()) << name << " got a gradient";
    model->train();
  }
  std::ostringstream out;
  train::TrainerOptions options = quiet(out, 2);
  options.monitor = false;
  data::DataLoader loader(data, train_test::loader_options(16));
  train::Trainer trainer(model, std::make_unique<optim::SGD>(model->parameters(), optim::SGDOptions{.lr = 0.1}),
                         train::cross_entropy_loss(), options);
  trainer.fit(loader);
  return model;
}

TEST(StepGraph, DrawingTheGraphLeavesTrainingBitForBitTheSame) {
  set_num_threads(1);
  const data::Dataset data = train_test::spirals(64);
  const auto plain = trained(data, false);
  const auto drawn = trained(data, true);
  EXPECT_TRUE(bitwise_equal(*plain, *drawn));
}

TEST(StepGraph, AModelWithNothingToTrainHasNoGraph) {
  auto model = norm_dropout_mlp();
  for (Tensor& parameter : model->parameters()) parameter.requires_grad_(false);
  const data::Dataset data = train_test::spirals(8);
  EXPECT_THROW(train::step_graph_dot(*model, train::cross_entropy_loss(), data.inputs, data.targets),
               Error);
  EXPECT_TRUE(model->is_training());
}

}  // namespace
}  // namespace nabla
