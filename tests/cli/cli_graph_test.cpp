// nabla graph CONFIG: one training step's autograd graph as Graphviz DOT on stdout; nabla train
// draws the same graph into report.html (Graphviz's SVG, or the DOT text and why not) and
// writes it as graph.dot.
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/report/graphviz.hpp"
#include "support/command.hpp"

namespace nabla::testing_cli {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

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

// A one-epoch spiral run in a fresh directory with `env`; the report's graph section.
std::string graph_section_of_run(const std::string& name, const Environment& env,
                                 std::string* run_dir = nullptr) {
  const std::string out = fresh_dir(name) + "/run";
  const CommandResult r =
      run_nabla({"train", kExamples + "/spiral.toml", "--out", out, "--set", "train.epochs=1"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (run_dir) *run_dir = out;
  const std::string html = read_text(out + "/report.html");
  const size_t start = html.find("<section id=\"section-graph\">");
  if (start == std::string::npos) return "";
  return html.substr(start, html.find("</section>", start) - start);
}

TEST(CliGraph, TrainDrawsTheStepGraphIntoTheReport) {
  if (report::find_on_path("dot").empty())
    GTEST_SKIP() << "Graphviz's dot is not on PATH; scripts/install-deps.sh installs graphviz";
  std::string run;
  const std::string section = graph_section_of_run("graph_svg", {}, &run);
  EXPECT_THAT(section, HasSubstr("<div id=\"graph\""));
  EXPECT_THAT(section, HasSubstr("<svg"));
  EXPECT_THAT(section, HasSubstr("</svg></div>"));
  EXPECT_THAT(section, HasSubstr(">0.weight</text>"));  // dot's label of a parameter
  EXPECT_THAT(section, Not(HasSubstr("<?xml")));         // no prolog inside the page
  EXPECT_THAT(section, Not(HasSubstr("graph-note")));
  EXPECT_EQ(read_text(run + "/graph.dot"),
            run_nabla({"graph", kExamples + "/spiral.toml"}).out);
}

TEST(CliGraph, WithoutDotTheReportSaysSoAndKeepsTheDotText) {
  const std::string empty = fresh_dir("graph_no_dot_path");
  std::string run;
  const std::string section = graph_section_of_run("graph_no_dot", {{"PATH", empty}}, &run);
  EXPECT_THAT(section, HasSubstr("<p id=\"graph-note\""));
  EXPECT_THAT(section, HasSubstr("dot is not on PATH"));
  EXPECT_THAT(section, HasSubstr("<pre id=\"graph-dot\">digraph autograd {"));
  EXPECT_THAT(section, HasSubstr("n1 -&gt; n0;"));  // the DOT text, escaped
  EXPECT_THAT(section, Not(HasSubstr("<svg")));
  EXPECT_EQ(read_text(run + "/graph.dot").rfind("digraph autograd {", 0), 0u);
}

// A `dot` that fails without reading its input: a warning line in the report, never a failed run.
TEST(CliGraph, AFailingDotIsAWarningInTheReport) {
  const std::string bin = fresh_dir("graph_bad_dot_path");
  {
    std::ofstream script(bin + "/dot");
    script << "#!/bin/sh\necho 'syntax error in line 1' >&2\nexit 3\n";
  }
  fs::permissions(bin + "/dot", fs::perms::owner_all);
  const std::string section = graph_section_of_run("graph_bad_dot", {{"PATH", bin}});
  EXPECT_THAT(section, HasSubstr("-Tsvg exited with status 3: syntax error in line 1"));
  EXPECT_THAT(section, HasSubstr("<pre id=\"graph-dot\">digraph autograd {"));
  EXPECT_THAT(section, Not(HasSubstr("<svg")));
}

}  // namespace
}  // namespace nabla::testing_cli
