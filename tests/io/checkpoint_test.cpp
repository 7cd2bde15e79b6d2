// Training checkpoints (src/io/checkpoint.cpp): a model, Adam after a few steps, a StepLR
// schedule and the RNG position survive save + load bit for bit, so one more step after loading
// equals one more step without stopping; the scalars' text round-trips every double exactly.
#include "nabla/io/checkpoint.hpp"

#include <cmath>
#include <limits>

#include "io/io_test_util.hpp"
#include "nabla/nn/activation.hpp"
#include "nabla/nn/container.hpp"
#include "nabla/nn/functional/loss.hpp"
#include "nabla/nn/linear.hpp"
#include "nabla/optim/adam.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

struct TrainingRun {
  std::shared_ptr<nn::Sequential> model;
  std::unique_ptr<optim::Adam> adam;
  std::unique_ptr<optim::StepLR> schedule;

  explicit TrainingRun(uint64_t seed) {
    manual_seed(seed);
    model = std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
        std::make_shared<nn::Linear>(3, 4), std::make_shared<nn::Tanh>(),
        std::make_shared<nn::Linear>(4, 2)});
    adam = std::make_unique<optim::Adam>(model->parameters(), optim::AdamOptions{.lr = 0.01});
    schedule = std::make_unique<optim::StepLR>(*adam, /*step_size=*/2, /*gamma=*/0.5);
  }

  void step() {
    const Tensor x = from_vector<float>({0.3f, -1.2f, 0.8f, 2.0f, -0.5f, 1.1f}, {2, 3});
    const Tensor y = from_vector<float>({1.0f, -1.0f, 0.5f, 0.25f}, {2, 2});
    adam->zero_grad();
    nn::functional::mse_loss((*model)(x), y).backward();
    adam->step();
    schedule->step();
  }
};

// The same keys, each value with the same bits (so 0.1 must come back as exactly 0.1).
template <class Map>
::testing::AssertionResult same_doubles(const Map& actual, const Map& expected) {
  if (actual.size() != expected.size())
    return ::testing::AssertionFailure() << actual.size() << " keys, expected " << expected.size();
  for (const auto& [key, value] : expected) {
    const auto it = actual.find(key);
    if (it == actual.end()) return ::testing::AssertionFailure() << "missing " << key;
    const bool same = std::isnan(value) ? std::isnan(it->second)
                                        : std::bit_cast<uint64_t>(value) ==
                                              std::bit_cast<uint64_t>(it->second);
    if (!same)
      return ::testing::AssertionFailure() << key << ": " << it->second << " != " << value;
  }
  return ::testing::AssertionSuccess();
}

void expect_same_named(const nn::NamedTensors& actual, const nn::NamedTensors& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (size_t i = 0; i < actual.size(); ++i) {
    EXPECT_EQ(actual[i].first, expected[i].first);
    EXPECT_TRUE(bitwise_equal(actual[i].second, expected[i].second)) << actual[i].first;
  }
}

}  // namespace

TEST(Checkpoint, ResumedTrainingIsBitwiseEqual) {
  ScratchDir scratch;
  const std::string path = scratch.path("run.ckpt");
  TrainingRun original(7);
  for (int i = 0; i < 3; ++i) original.step();
  const GeneratorState generator{1234, (uint64_t{1} << 53) + 1};  // not exact as a double
  set_generator_state(generator);

  io::Checkpoint saved;
  saved.model = original.model->state_dict();
  saved.optimizer = original.adam->state_dict();
  saved.scheduler = original.schedule->state_dict();
  saved.generator = generator_state();
  saved.extra = {{"stats.mean", from_vector<double>({0.1, 1.0 / 3})}, {"stats.count", zeros({0})}};
  saved.text = {{"trainer", R"({"epoch": 3, "batch": 17})"}};
  io::save_checkpoint(path, saved);
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"run.ckpt"});

  const io::Checkpoint loaded = io::load_checkpoint(path);
  expect_same_named(loaded.model, saved.model);
  ASSERT_EQ(loaded.optimizer.tensors.size(), saved.optimizer.tensors.size());
  for (const auto& [key, t] : saved.optimizer.tensors)
    EXPECT_TRUE(bitwise_equal(loaded.optimizer.tensors.at(key), t)) << key;
  EXPECT_TRUE(same_doubles(loaded.optimizer.scalars, saved.optimizer.scalars));
  EXPECT_TRUE(same_doubles(loaded.scheduler, saved.scheduler));
  EXPECT_EQ(loaded.generator.seed, generator.seed);
  EXPECT_EQ(loaded.generator.offset, generator.offset);
  expect_same_named(loaded.extra, saved.extra);
  EXPECT_EQ(loaded.text, saved.text);

  // Fresh objects with other weights and another lr take the loaded state...
  TrainingRun resumed(99);
  resumed.model->load_state_dict(loaded.model);
  resumed.adam->load_state_dict(loaded.optimizer);
  resumed.schedule->load_state_dict(loaded.scheduler);
  set_generator_state({0, 0});
  set_generator_state(loaded.generator);
  EXPECT_EQ(generator_state().offset, generator.offset);
  // ...and one more step on both gives the same bits.
  original.step();
  resumed.step();
  expect_same_named(resumed.model->state_dict(), original.model->state_dict());
  EXPECT_EQ(resumed.schedule->get_last_lr(), original.schedule->get_last_lr());
}

TEST(Checkpoint, ScalarTextRoundTripsExactly) {
  ScratchDir scratch;
  const std::string path = scratch.path("scalars.ckpt");
  io::Checkpoint saved;
  const double inf = std::numeric_limits<double>::infinity();
  saved.optimizer.scalars = {{"param_groups.0.lr", 0.1},
                             {"state.3.step", 3.0},
                             {"third", 1.0 / 3},
                             {"negative_zero", -0.0},
                             {"subnormal", 5e-324},
                             {"max", std::numeric_limits<double>::max()},
                             {"big_integer", 9007199254740993.0},
                             {"inf", inf},
                             {"nan", std::numeric_limits<double>::quiet_NaN()}};
  saved.scheduler = {{"last_epoch", 12.0}, {"best", -inf}, {"factor", 0.7}};
  saved.generator = {std::numeric_limits<uint64_t>::max(), (uint64_t{1} << 60) + 3};
  io::save_checkpoint(path, saved);
  const io::Checkpoint loaded = io::load_checkpoint(path);
  EXPECT_TRUE(same_doubles(loaded.optimizer.scalars, saved.optimizer.scalars));
  EXPECT_TRUE(same_doubles(loaded.scheduler, saved.scheduler));
  EXPECT_EQ(loaded.generator.seed, saved.generator.seed);
  EXPECT_EQ(loaded.generator.offset, saved.generator.offset);
  EXPECT_TRUE(loaded.model.empty() && loaded.extra.empty() && loaded.text.empty());

  // The metadata is plain text a person can read.
  const io::Metadata metadata = io::load_safetensors(path).metadata;
  EXPECT_EQ(metadata.at("format"), "nabla-checkpoint-1");
  EXPECT_EQ(metadata.at("optimizer.param_groups.0.lr"), "0.1");
  EXPECT_EQ(metadata.at("generator.offset"), "1152921504606846979");
}

TEST(Checkpoint, RejectsFilesThatAreNotCheckpoints) {
  ScratchDir scratch;
  const std::string plain = scratch.path("weights.safetensors");
  io::save_safetensors(plain, {{"0.weight", zeros({2})}});
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(plain); },
                                      {plain, "not a nabla checkpoint", "load_safetensors"}));

  const std::string future = scratch.path("future.ckpt");
  io::save_safetensors(future, {}, {{"format", "nabla-checkpoint-9"}});
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(future); },
                                      {"nabla-checkpoint-9", "nabla-checkpoint-1"}));

  const io::Metadata base = {
      {"format", "nabla-checkpoint-1"}, {"generator.seed", "1"}, {"generator.offset", "2"}};
  const auto with = [&](const std::string& key, const std::string& value) {
    io::Metadata m = base;
    m[key] = value;
    return m;
  };
  const std::string bad = scratch.path("bad.ckpt");
  io::save_safetensors(bad, {}, with("optimizer.lr", "0.1x"));
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(bad); },
                                      {bad, "\"optimizer.lr\"", "'0.1x'", "not a number"}));
  io::save_safetensors(bad, {}, with("generator.seed", "-1"));
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(bad); },
                                      {"generator.seed", "unsigned 64-bit"}));
  io::save_safetensors(bad, {}, with("generator.offset", "18446744073709551616"));  // 2^64
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(bad); }, {"generator.offset"}));
  io::save_safetensors(bad, {}, with("mystery", "1"));
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(bad); },
                                      {"unexpected metadata key \"mystery\""}));
  io::save_safetensors(bad, {}, {{"format", "nabla-checkpoint-1"}, {"generator.seed", "1"}});
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(bad); },
                                      {"lacks \"generator.offset\""}));
  io::save_safetensors(bad, {{"stray", zeros({1})}}, base);
  EXPECT_TRUE(throws_error_containing([&] { io::load_checkpoint(bad); },
                                      {"unexpected tensor 'stray'"}));
}
