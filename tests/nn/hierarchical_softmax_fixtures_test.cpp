// Hierarchical softmax against PyTorch: every case of tests/fixtures/hierarchical_softmax.json
// (written by tools/golden/make_hierarchical_softmax_fixtures.py from the definition in torch:
// logsigmoid of each node score along each class's path, summed, and torch's autograd), on
// balanced trees of 7 and 8 classes and a lopsided tree of 6 given as children tables; the
// log-probabilities, the NLL under each reduction, and their gradients with respect to x, W
// and b must match. One test per case.
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "nabla/nn/functional.hpp"
#include "support/fixtures.hpp"

namespace nabla::testing {
namespace {

namespace F = nn::functional;

constexpr const char* kFixtureFile = "hierarchical_softmax.json";
using OpFn = std::function<Tensor(const std::vector<Tensor>&, FixtureArgs&)>;

nn::ClassPaths paths_of(const Tensor& children) { return nn::ClassTree::from_tensor(children).paths(); }

const std::map<std::string, OpFn>& op_table() {
  static const std::map<std::string, OpFn> table = {
      {"hierarchical_log_softmax", [](const std::vector<Tensor>& in, FixtureArgs&) {
         return F::hierarchical_log_softmax(in.at(0), in.at(1), in.at(2), paths_of(in.at(3)));
       }},
      {"hierarchical_softmax_nll", [](const std::vector<Tensor>& in, FixtureArgs& a) {
         return F::hierarchical_softmax_nll(in.at(0), in.at(1), in.at(2), paths_of(in.at(3)), in.at(4),
                                            a.text("reduction"));
       }},
  };
  return table;
}

class HierarchicalSoftmaxForward : public ::testing::TestWithParam<std::string> {};

TEST_P(HierarchicalSoftmaxForward, MatchesTorch) {
  run_fixture_case<FixtureArgs>(kFixtureFile, GetParam(), op_table(),
                                "tests/nn/hierarchical_softmax_fixtures_test.cpp", 1e-10, 1e-12);
}

INSTANTIATE_TEST_SUITE_P(HierarchicalSoftmaxFixtures, HierarchicalSoftmaxForward,
                         ::testing::ValuesIn(fixture_case_names(kFixtureFile)),
                         [](const auto& info) { return fixture_test_name(info.param); });

TEST(HierarchicalSoftmaxFixturesFile, ComesFromItsGenerator) {
  const FixtureLoad& load = load_fixture(kFixtureFile);
  ASSERT_TRUE(load.ok()) << load.error;
  EXPECT_EQ(load.file.generator, "tools/golden/make_hierarchical_softmax_fixtures.py");
  EXPECT_EQ(load.file.cases.size(), 12u);
}

}  // namespace
}  // namespace nabla::testing
