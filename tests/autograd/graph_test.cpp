// graph_dot: the autograd graph as Graphviz DOT, its nodes, leaves, saved tensors and edges.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {
size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}
}  // namespace

TEST(GraphDot, OpsLeavesSavedTensorsAndEdges) {
  const Tensor w = from_vector(std::vector<float>{1, 2, 3}, {3}, true);
  const Tensor x = from_vector(std::vector<float>{4, 5, 6}, {3});
  std::string dot;
  {
    autograd::GraphCaptureGuard capture;
    const Tensor loss = (w * x).sum();
    dot = autograd::graph_dot(loss, {{"weight", w}});
  }
  EXPECT_EQ(dot.rfind("digraph autograd {", 0), 0u);
  EXPECT_THAT(dot, HasSubstr("label=\"sum\\l"));
  EXPECT_THAT(dot, HasSubstr("label=\"mul\\lin 0: [3]\\l"));  // x needs no gradient: no in 1
  EXPECT_THAT(dot, HasSubstr("saved 24 B: [3] [3]"));  // mul keeps both factors
  EXPECT_THAT(dot, HasSubstr("label=\"weight\\l[3] gets a gradient\\l\""));
  EXPECT_THAT(dot, HasSubstr("peripheries=2"));  // the root
  EXPECT_EQ(count(dot, " -> "), 2u);             // weight -> mul -> sum
  EXPECT_EQ(dot.back(), '\n');

  // Without a capture guard the nodes keep no record of what they saved.
  const Tensor again = (w * x).sum();
  EXPECT_THAT(autograd::graph_dot(again), Not(HasSubstr("saved")));
  EXPECT_THAT(autograd::graph_dot(again), HasSubstr("label=\"leaf\\l"));
  EXPECT_TRUE(throws_error_containing([&] { autograd::graph_dot(x); }, {"no autograd history"}));
}
