// nn::Module, Sequential, Linear, Flatten and init: names, state dicts, freezing, gradients.
#include <cmath>
#include <sstream>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::gradcheck_passes;
using nabla::testing::throws_error_containing;

namespace {
std::shared_ptr<nn::Sequential> mlp(DType dtype = DType::f32) {
  return std::make_shared<nn::Sequential>(std::initializer_list<std::shared_ptr<nn::Module>>{
      std::make_shared<nn::Flatten>(),
      std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 6, .out_features = 4, .dtype = dtype}),
      std::make_shared<nn::Linear>(nn::LinearOptions{.in_features = 4, .out_features = 2, .bias = false, .dtype = dtype})});
}

std::vector<std::string> names(const nn::NamedTensors& named) {
  std::vector<std::string> out;
  for (const auto& [name, t] : named) out.push_back(name);
  return out;
}
}  // namespace

TEST(Module, SequentialUsesPyTorchNames) {
  auto model = mlp();
  EXPECT_EQ(names(model->named_parameters()),
            (std::vector<std::string>{"1.weight", "1.bias", "2.weight"}));
  EXPECT_EQ(model->parameter_count(), 6 * 4 + 4 + 4 * 2);
  EXPECT_EQ((*model)(zeros({3, 2, 3})).shape(), (Shape{3, 2}));
}

TEST(Module, LinearMatchesItsFormulaAndDefaults) {
  manual_seed(0);
  nn::Linear layer(5, 3);
  EXPECT_EQ(layer.weight.shape(), (Shape{3, 5}));
  const double bound = 1.0 / std::sqrt(5.0);  // PyTorch's default init bound
  EXPECT_LE(max(abs(layer.weight)).item(), bound);
  EXPECT_LE(max(abs(layer.bias)).item(), bound);
  Tensor x = randn({4, 5});
  EXPECT_TRUE(nabla::testing::all_close(layer(x), matmul(x, layer.weight.t()) + layer.bias, 1e-6, 1e-6));
  EXPECT_TRUE(throws_error_containing([&] { layer(zeros({4, 6})); }, {"Linear", "[4, 6]", "in_features = 5"}));
}

TEST(Module, LinearGradcheck) {
  manual_seed(1);
  nn::Linear layer(nn::LinearOptions{.in_features = 3, .out_features = 2, .dtype = DType::f64});
  Tensor x = nabla::testing::randn64({4, 3});
  EXPECT_TRUE(gradcheck_passes(
      [&](const std::vector<Tensor>& in) {
        return matmul(in[0], in[1].t()) + in[2];  // the layer's forward with its own parameters
      },
      {x, layer.weight, layer.bias}));
  EXPECT_TRUE(gradcheck_passes([&](const std::vector<Tensor>& in) { return layer(in[0]); }, {x}));
}

TEST(Module, StateDictRoundTrip) {
  manual_seed(2);
  auto a = mlp();
  manual_seed(3);
  auto b = mlp();
  Tensor x = randn({2, 6});
  EXPECT_FALSE(equal((*a)(x), (*b)(x)));
  b->load_state_dict(a->state_dict());
  EXPECT_TRUE(equal((*a)(x), (*b)(x)));
}

TEST(Module, LoadStateDictListsEveryProblemAndChangesNothing) {
  auto model = mlp();
  const Tensor before = model->state_dict()[0].second.clone();
  nn::StateDict bad = model->state_dict();
  bad.erase(bad.begin() + 2);                                  // missing 2.weight
  bad.emplace_back("3.weight", zeros({1}));                    // unexpected
  bad[0].second = zeros({4, 7});                               // mis-shaped 1.weight
  EXPECT_TRUE(throws_error_containing([&] { model->load_state_dict(bad); },
                                      {"missing keys: 2.weight", "unexpected keys: 3.weight",
                                       "1.weight (checkpoint [4, 7], model [4, 6])"}));
  EXPECT_TRUE(equal(model->state_dict()[0].second, before));
  nn::StateDict partial = model->state_dict();
  partial.pop_back();
  EXPECT_NO_THROW(model->load_state_dict(partial, /*strict=*/false));
}

TEST(Module, FreezeStopsGradients) {
  auto model = mlp();
  (*model)[1]->freeze();
  EXPECT_EQ(model->parameter_count(/*trainable_only=*/true), 4 * 2);
  (*model)(ones({1, 6})).sum().backward();
  EXPECT_FALSE(model->named_parameters()[0].second.grad().defined());
  EXPECT_TRUE(model->named_parameters()[2].second.grad().defined());
  // torch 1.13's Module.zero_grad() zeroes in place (set_to_none=False); set_to_none drops it.
  model->zero_grad();
  const Tensor zeroed = model->named_parameters()[2].second.grad();
  ASSERT_TRUE(zeroed.defined());
  EXPECT_EQ(max(abs(zeroed)).item(), 0.0);
  model->zero_grad(/*set_to_none=*/true);
  EXPECT_FALSE(model->named_parameters()[2].second.grad().defined());
  (*model)[1]->unfreeze();
  EXPECT_EQ(model->parameter_count(true), model->parameter_count());
}

TEST(Module, TrainAndEvalReachEveryDescendant) {
  auto model = mlp();
  EXPECT_TRUE((*model)[2]->is_training());
  model->eval();
  EXPECT_FALSE((*model)[2]->is_training());
  model->train();
  EXPECT_TRUE((*model)[1]->is_training());
}

TEST(Module, PrintsLikePyTorch) {
  std::ostringstream s;
  s << *mlp();
  EXPECT_EQ(s.str(),
            "Sequential(\n"
            "  (0): Flatten(start_dim=1, end_dim=-1)\n"
            "  (1): Linear(in_features=6, out_features=4, bias=True)\n"
            "  (2): Linear(in_features=4, out_features=2, bias=False)\n"
            ")");
}

// One Linear used twice (tied weights): torch lists its parameters once, under the first
// name, counts them once and an optimizer accepts the list; state_dict keeps both keys.
TEST(Module, SharedParametersAreListedOnce) {
  auto shared = std::make_shared<nn::Linear>(3, 3);
  nn::Sequential model({shared, shared});
  EXPECT_EQ(names(model.named_parameters()), (std::vector<std::string>{"0.weight", "0.bias"}));
  EXPECT_EQ(model.parameters().size(), 2u);
  EXPECT_EQ(model.parameter_count(), 3 * 3 + 3);
  EXPECT_EQ(model.state_dict().size(), 4u);
  EXPECT_NO_THROW(optim::SGD(model.parameters(), {.lr = 0.1}));
}

// A hook that installs another guard while the hooks run (a nested profiler) must not break
// the loop over the installed hooks: each runs once per call it sees.
TEST(Module, HookInstallingAGuardIsSafe) {
  auto inner = std::make_shared<nn::Flatten>();
  int outer_calls = 0, inner_calls = 0;
  nn::ForwardHookGuard outer([&](const nn::Module& m, const Tensor& x, const Tensor&) {
    if (&m == inner.get()) return;
    ++outer_calls;
    nn::ForwardHookGuard nested([&](const nn::Module&, const Tensor&, const Tensor&) { ++inner_calls; });
    (*inner)(x);
  });
  nn::Flatten top;
  for (int i = 0; i < 3; ++i) top(ones({2, 2}));
  EXPECT_EQ(outer_calls, 3);
  EXPECT_EQ(inner_calls, 3);
}

TEST(Init, GainsAreTorchs) {
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("tanh"), 5.0 / 3.0);
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("relu"), std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(nn::init::calculate_gain("leaky_relu", 0.2), std::sqrt(2.0 / 1.04));
  EXPECT_TRUE(throws_error_containing([] { nn::init::calculate_gain("swish"); },
                                      {"calculate_gain", "swish"}));
}

TEST(Init, XavierAndKaimingHaveTheirVariance) {
  manual_seed(4);
  Tensor w = empty({400, 600}, {.dtype = DType::f64});
  nn::init::xavier_normal_(w);
  EXPECT_NEAR(std_dev(w).item(), std::sqrt(2.0 / 1000.0), 0.001);
  nn::init::xavier_uniform_(w, nn::init::calculate_gain("tanh"));
  EXPECT_LE(max(abs(w)).item(), 5.0 / 3.0 * std::sqrt(6.0 / 1000.0));
  nn::init::kaiming_normal_(w, 0.0, nn::init::FanMode::fan_in, "relu");
  EXPECT_NEAR(std_dev(w).item(), std::sqrt(2.0 / 600.0), 0.001);
  nn::init::kaiming_uniform_(w, 0.0, nn::init::FanMode::fan_out, "relu");
  EXPECT_NEAR(std_dev(w).item(), std::sqrt(2.0 / 400.0), 0.001);
}
