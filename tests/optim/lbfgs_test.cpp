// L-BFGS against torch's iterates on the Rosenbrock function (tests/fixtures/optim.json), and
// against SGD on the same budget of function evaluations.
#include "nabla/optim/lbfgs.hpp"
#include "nabla/optim/sgd.hpp"
#include "support/fixtures.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

// (1 - x0)^2 + 100 (x1 - x0^2)^2, minimum 0 at (1, 1): the notes' long narrow valley.
Tensor rosenbrock(const Tensor& x) {
  const Tensor a = x.slice(0, 0, 1), b = x.slice(0, 1, 2);
  return sum(pow(1.0 - a, 2.0) + 100.0 * pow(b - a * a, 2.0));
}

optim::LBFGSOptions options_from(const nlohmann::json& j) {
  optim::LBFGSOptions o;
  o.lr = j.value("lr", 1.0);
  o.max_iter = j.value("max_iter", 20);
  o.history_size = j.value("history_size", 100);
  o.line_search_fn = j.value("line_search_fn", std::string());
  return o;
}

}  // namespace

TEST(OptimLBFGS, MatchesPyTorchIteratesOnRosenbrock) {
  const FixtureLoad& load = load_fixture("optim.json");
  ASSERT_TRUE(load.ok()) << load.error;
  int checked = 0;
  for (const FixtureCase& c : load.file.cases) {
    if (c.op != "LBFGS") continue;
    SCOPED_TRACE(c.name);
    const Tensor x = c.inputs[0].clone().requires_grad_();
    optim::LBFGS lbfgs({x}, options_from(c.args.at("options")));
    auto closure = [&] {
      lbfgs.zero_grad();
      Tensor loss = rosenbrock(x);
      loss.backward();
      return loss;
    };
    for (size_t call = 0; call < c.outputs.size(); ++call) {
      lbfgs.step(closure);
      ASSERT_TRUE(all_close(x, c.outputs[call], 1e-8, 1e-10)) << "after call " << call + 1;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(OptimLBFGS, StrongWolfeBeatsSgdForTheSameEvaluations) {
  const Tensor x = f64({-1.5, 2.0}, {2}, true);
  optim::LBFGS lbfgs({x}, {.max_iter = 50, .line_search_fn = "strong_wolfe"});
  auto closure = [&] {
    lbfgs.zero_grad();
    Tensor loss = rosenbrock(x);
    loss.backward();
    return loss;
  };
  lbfgs.step(closure);
  const int64_t evals = lbfgs.func_evals();
  const double lbfgs_loss = rosenbrock(x).item();

  const Tensor y = f64({-1.5, 2.0}, {2}, true);
  optim::SGD sgd({y}, {.lr = 1e-3, .momentum = 0.9});
  for (int64_t i = 0; i < evals; ++i) {
    sgd.zero_grad();
    rosenbrock(y).backward();
    sgd.step();
  }
  const double sgd_loss = rosenbrock(y).item();
  EXPECT_LT(lbfgs_loss, 1e-3 * sgd_loss) << "evals " << evals;
  EXPECT_LT(lbfgs_loss, 1e-2);
}

TEST(OptimLBFGS, NeedsAClosureAndOneGroup) {
  const Tensor x = f64({1.0}, {1}, true);
  optim::LBFGS lbfgs({x});
  EXPECT_TRUE(throws_error_containing([&] { lbfgs.step(); }, {"LBFGS", "closure"}));
  EXPECT_TRUE(throws_error_containing(
      [] { optim::LBFGS bad({f64({1.0}, {1}, true)}, {.line_search_fn = "backtracking"}); },
      {"LBFGS", "strong_wolfe", "backtracking"}));
}

TEST(OptimLBFGS, Float32ResumeFromStateDictIsBitwise) {
  // L-BFGS keeps its history in float64; loading must not round it to the float32 parameters.
  const optim::LBFGSOptions options{.max_iter = 4, .history_size = 3,
                                    .line_search_fn = "strong_wolfe"};
  auto run = [&](const Tensor& x, optim::LBFGS& lbfgs, int calls) {
    auto closure = [&] {
      lbfgs.zero_grad();
      Tensor loss = rosenbrock(x);
      loss.backward();
      return loss;
    };
    for (int i = 0; i < calls; ++i) lbfgs.step(closure);
  };
  const Tensor straight = from_vector<float>({-1.5f, 2.0f}, {2}, true);
  optim::LBFGS a({straight}, options);
  run(straight, a, 6);

  const Tensor first = from_vector<float>({-1.5f, 2.0f}, {2}, true);
  optim::LBFGS b({first}, options);
  run(first, b, 3);
  const Tensor second = first.detach().clone().requires_grad_();
  optim::LBFGS c({second}, options);
  c.load_state_dict(b.state_dict());
  EXPECT_EQ(c.state_dict().tensors.at("state.0.d").dtype(), DType::f64);
  EXPECT_EQ(c.state_dict().tensors.at("state.0.old_dirs.0").dtype(), DType::f64);
  run(second, c, 3);
  EXPECT_EQ(second.to_vector<float>(), straight.to_vector<float>());
  EXPECT_EQ(c.func_evals(), a.func_evals());
}

TEST(OptimLBFGS, FuncEvalsDoesNotAddState) {
  const Tensor x = f64({1.0, 2.0}, {2}, true);
  optim::LBFGS lbfgs({x});
  EXPECT_EQ(lbfgs.func_evals(), 0);
  EXPECT_TRUE(lbfgs.state_dict().tensors.empty());
  EXPECT_FALSE(lbfgs.state_dict().scalars.count("state.0.func_evals"));
}
