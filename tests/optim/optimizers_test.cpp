// Every optimizer against PyTorch 1.13: 20 steps of a float64 linear regression from
// tests/fixtures/optim.json (tools/golden/make_optim_fixtures.py), parameters compared after
// each step to 1e-10 relative.
#include "optim/optim_test_util.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

void run_case(const FixtureCase& c) {
  SCOPED_TRACE(c.name);
  const Tensor w = c.inputs[0].clone().requires_grad_();
  const Tensor b = c.inputs[1].clone().requires_grad_();
  const std::vector<Tensor> params{w, b};
  std::vector<optim::ParamGroup> groups;
  for (const auto& g : c.args.at("groups")) {
    optim::ParamGroup group;
    for (const auto& index : g.at("params")) group.params.push_back(params[index.get<int>()]);
    group.options = options_of(c.args.at("options"), g.at("options"));
    groups.push_back(group);
  }
  auto opt = make_optimizer(c.op, groups);
  ASSERT_TRUE(opt) << "no optimizer named " << c.op;
  ASSERT_EQ(c.outputs.size(), 40u);
  for (size_t step = 0; step < 20; ++step) {
    opt->zero_grad();
    regression_loss(w, b, c.inputs[2], c.inputs[3]).backward();
    opt->step();
    ASSERT_TRUE(all_close(w, c.outputs[2 * step], 1e-10, 1e-13)) << "w after step " << step + 1;
    ASSERT_TRUE(all_close(b, c.outputs[2 * step + 1], 1e-10, 1e-13)) << "b after step " << step + 1;
  }
}

}  // namespace

TEST(OptimTorch, EveryOptimizerMatchesPyTorchFor20Steps) {
  const FixtureLoad& load = load_fixture("optim.json");
  ASSERT_TRUE(load.ok()) << load.error;
  int checked = 0;
  for (const FixtureCase& c : load.file.cases) {
    if (c.op == "LBFGS") continue;
    run_case(c);
    ++checked;
  }
  EXPECT_EQ(checked, 18);
}

TEST(OptimTorch, Float32UpdateFollowsFloat64) {
  // The float32 kernel runs the same arithmetic: one Adam step agrees to float precision.
  const Tensor w64 = from_vector<double>({0.5, -1.0, 2.0}, {3}, true);
  const Tensor w32 = from_vector<float>({0.5f, -1.0f, 2.0f}, {3}, true);
  optim::Adam a64({w64}, {.lr = 0.1, .weight_decay = 0.1, .amsgrad = true});
  optim::Adam a32({w32}, {.lr = 0.1, .weight_decay = 0.1, .amsgrad = true});
  for (int i = 0; i < 3; ++i) {
    a64.zero_grad();
    a32.zero_grad();
    sum(pow(w64, 3.0)).backward();
    sum(pow(w32, 3.0)).backward();
    a64.step();
    a32.step();
  }
  EXPECT_TRUE(all_close(w32.to(DType::f64), w64, 1e-5, 1e-6));
}

TEST(OptimTorch, StepBumpsVersionAndSkipsParamsWithoutGrad) {
  const Tensor w = from_vector<double>({1.0, 2.0}, {2}, true);
  const Tensor unused = from_vector<double>({3.0}, {1}, true);
  optim::SGD sgd({w, unused}, {.lr = 0.5, .momentum = 0.9});
  sum(w * w).backward();
  const uint64_t before = w.version();
  sgd.step();
  EXPECT_GT(w.version(), before);
  EXPECT_TRUE(all_close(w, f64({0.0, 0.0}, {2})));  // p - 0.5 * 2p
  EXPECT_EQ(unused.item(), 3.0);
  EXPECT_FALSE(unused.grad().defined());
  sgd.zero_grad();
  EXPECT_TRUE(all_close(w.grad(), f64({0.0, 0.0}, {2})));  // torch 1.13: zeroed, not dropped
  sgd.zero_grad(true);
  EXPECT_FALSE(w.grad().defined());
}
