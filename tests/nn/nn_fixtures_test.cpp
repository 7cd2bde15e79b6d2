// nabla::nn::functional against PyTorch: every case of tests/fixtures/nn.json (written by
// tools/golden/make_nn_fixtures.py) runs through the function its "op" names; the output and,
// where the case has them, the input gradients must match PyTorch's. One test per case
// (NnFixtures/NnForward.MatchesTorch/<case>). An unknown op or an arg the mapping does not
// read fails the case, so no fixture goes unchecked.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <set>

#include "nabla/nn/functional.hpp"
#include "support/fixtures.hpp"
#include "support/harness.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;
using nlohmann::json;

constexpr const char* kFixtureFile = "nn.json";

using Args = FixtureArgs;
using Inputs = std::vector<Tensor>;
using OpFn = std::function<Tensor(const Inputs&, Args&)>;

OpFn unary(Tensor (*op)(const Tensor&)) {
  return [=](const Inputs& in, Args&) { return op(in.at(0)); };
}
OpFn with_dim(Tensor (*op)(const Tensor&, int64_t)) {
  return [=](const Inputs& in, Args& a) { return op(in.at(0), a.integer("dim")); };
}

// Loss inputs: [input, target, weight if "weight", pos_weight if "pos_weight"].
struct LossInputs {
  Tensor input, target, weight, pos_weight;
  F::Reduction reduction = F::Reduction::mean;
};
LossInputs loss_inputs(const Inputs& in, Args& a) {
  LossInputs out{in.at(0), in.at(1), {}, {}, F::Reduction(a.text("reduction"))};
  size_t next = 2;
  if (a.get_or("weight", false)) out.weight = in.at(next++);
  if (a.get_or("pos_weight", false)) out.pos_weight = in.at(next++);
  if (next != in.size()) throw std::runtime_error("the case has unused inputs");
  return out;
}

using Regression = Tensor (*)(const Tensor&, const Tensor&, F::Reduction);
OpFn regression(Regression op) {
  return [=](const Inputs& in, Args& a) {
    const LossInputs l = loss_inputs(in, a);
    return op(l.input, l.target, l.reduction);
  };
}

const std::map<std::string, OpFn>& op_table() {
  static const std::map<std::string, OpFn> table = {
      {"sigmoid", unary(F::sigmoid)}, {"tanh", unary(F::tanh)},
      {"lecun_tanh", unary(F::lecun_tanh)}, {"relu", unary(F::relu)}, {"silu", unary(F::silu)},
      {"leaky_relu", [](const Inputs& in, Args& a) { return F::leaky_relu(in.at(0), a.number("negative_slope")); }},
      {"elu", [](const Inputs& in, Args& a) { return F::elu(in.at(0), a.number("alpha")); }},
      {"softplus", [](const Inputs& in, Args& a) {
         return F::softplus(in.at(0), a.number("beta"), a.number("threshold"));
       }},
      {"gelu", [](const Inputs& in, Args& a) {
         return F::gelu(in.at(0), a.text("approximate"));
       }},
      {"prelu", [](const Inputs& in, Args&) { return F::prelu(in.at(0), in.at(1)); }},
      {"softmax", with_dim(F::softmax)}, {"log_softmax", with_dim(F::log_softmax)},
      {"cross_entropy", [](const Inputs& in, Args& a) {
         const LossInputs l = loss_inputs(in, a);
         return F::cross_entropy(l.input, l.target,
                                 {.weight = l.weight,
                                  .ignore_index = a.get_or<int64_t>("ignore_index", -100),
                                  .reduction = l.reduction,
                                  .label_smoothing = a.get_or<double>("label_smoothing", 0.0)});
       }},
      {"nll_loss", [](const Inputs& in, Args& a) {
         const LossInputs l = loss_inputs(in, a);
         return F::nll_loss(l.input, l.target,
                            {.weight = l.weight,
                             .ignore_index = a.get_or<int64_t>("ignore_index", -100),
                             .reduction = l.reduction});
       }},
      {"binary_cross_entropy", [](const Inputs& in, Args& a) {
         const LossInputs l = loss_inputs(in, a);
         return F::binary_cross_entropy(l.input, l.target, {.weight = l.weight, .reduction = l.reduction});
       }},
      {"binary_cross_entropy_with_logits", [](const Inputs& in, Args& a) {
         const LossInputs l = loss_inputs(in, a);
         return F::binary_cross_entropy_with_logits(
             l.input, l.target, {.weight = l.weight, .pos_weight = l.pos_weight, .reduction = l.reduction});
       }},
      {"mse_loss", regression(F::mse_loss)}, {"l1_loss", regression(F::l1_loss)},
      {"huber_loss", [](const Inputs& in, Args& a) {
         const LossInputs l = loss_inputs(in, a);
         return F::huber_loss(l.input, l.target, l.reduction, a.number("delta"));
       }},
      {"smooth_l1_loss", [](const Inputs& in, Args& a) {
         const LossInputs l = loss_inputs(in, a);
         return F::smooth_l1_loss(l.input, l.target, l.reduction, a.number("beta"));
       }},
      {"multi_margin_loss", [](const Inputs& in, Args& a) {
         const LossInputs l = loss_inputs(in, a);
         return F::multi_margin_loss(l.input, l.target,
                                     {.p = a.get_or<int64_t>("p", 1),
                                      .margin = a.get_or<double>("margin", 1.0),
                                      .weight = l.weight,
                                      .reduction = l.reduction});
       }},
  };
  return table;
}

// Same formulas as PyTorch in float64: only rounding differs (libm vs SLEEF, sum order).
constexpr double kRtol = 1e-10, kAtol = 1e-12;

class NnForward : public ::testing::TestWithParam<std::string> {};

TEST_P(NnForward, MatchesTorch) {
  run_fixture_case<Args>(kFixtureFile, GetParam(), op_table(), "tests/nn/nn_fixtures_test.cpp",
                         kRtol, kAtol);
}

INSTANTIATE_TEST_SUITE_P(NnFixtures, NnForward, ::testing::ValuesIn(fixture_case_names(kFixtureFile)),
                         [](const auto& info) { return fixture_test_name(info.param); });

TEST(NnFixturesFile, EveryActivationAndLossIsCoveredAndMapped) {
  const FixtureLoad& load = load_fixture(kFixtureFile);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.file.generator, "tools/golden/make_nn_fixtures.py");
  std::set<std::string> ops;
  for (const FixtureCase& c : load.file.cases) {
    EXPECT_TRUE(op_table().count(c.op)) << "case '" << c.name << "': unknown op '" << c.op << "'";
    ops.insert(c.op);
  }
  for (const auto& [op, fn] : op_table()) EXPECT_TRUE(ops.count(op)) << "no case for " << op;
}

}  // namespace
}  // namespace nabla::testing
