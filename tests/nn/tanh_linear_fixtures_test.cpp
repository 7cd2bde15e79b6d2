// tanh_linear(x, β) = tanh x + β·x against PyTorch: every case of tests/fixtures/tanh_linear.json
// (written by tools/golden/make_tanh_linear_fixtures.py from torch.tanh(x) + beta * x and torch's
// autograd), β a number or a tensor of one value or one per channel; the output and the
// gradients with respect to x and a tensor β must match. One test per case.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "nabla/nn/functional.hpp"
#include "support/fixtures.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;

constexpr const char* kFixtureFile = "tanh_linear.json";
using OpFn = std::function<Tensor(const std::vector<Tensor>&, FixtureArgs&)>;

const std::map<std::string, OpFn>& op_table() {
  static const std::map<std::string, OpFn> table = {
      {"tanh_linear", [](const std::vector<Tensor>& in, FixtureArgs& a) {
         if (a.has("beta")) return F::tanh_linear(in.at(0), a.number("beta"));
         return F::tanh_linear(in.at(0), in.at(1));
       }},
  };
  return table;
}

class TanhLinearForward : public ::testing::TestWithParam<std::string> {};

// The same formula in float64: only libm's tanh against torch's differs.
TEST_P(TanhLinearForward, MatchesTorch) {
  run_fixture_case<FixtureArgs>(kFixtureFile, GetParam(), op_table(),
                                "tests/nn/tanh_linear_fixtures_test.cpp", 1e-10, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(TanhLinearFixtures, TanhLinearForward,
                         ::testing::ValuesIn(fixture_case_names(kFixtureFile)),
                         [](const auto& info) { return fixture_test_name(info.param); });

TEST(TanhLinearFixturesFile, ComesFromItsGenerator) {
  const FixtureLoad& load = load_fixture(kFixtureFile);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.file.generator, "tools/golden/make_tanh_linear_fixtures.py");
  EXPECT_GE(load.file.cases.size(), 8u);
}

}  // namespace
}  // namespace nabla::testing
