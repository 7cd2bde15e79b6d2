// nabla graph CONFIG: one training step's autograd graph as Graphviz DOT on stdout.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;

const std::string kExamples = NABLA_EXAMPLES_DIR;

TEST(CliGraph, OneStepOfTheSpiralModelAsDot) {
  const CommandResult r = run_nabla({"graph", kExamples + "/spiral.toml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("digraph autograd {", 0), 0u);
  // Every parameter of the 2-64-64-2 MLP gets a gradient, named as in its state dict.
  for (const char* name : {"0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"})
    EXPECT_THAT(r.out, HasSubstr("label=\"" + std::string(name) + "\\l")) << name;
  EXPECT_THAT(r.out, HasSubstr("saved "));
  EXPECT_THAT(r.out, HasSubstr("tanh"));
  const CommandResult bad = run_nabla({"graph", kExamples + "/spiral.toml", "--set", "model.name=lenet6"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("lenet5"));
}

}  // namespace
}  // namespace nabla::testing_cli
