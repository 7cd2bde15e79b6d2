// The autograd graph in report.html: Graphviz's SVG inline when dot drew it, else one line
// saying why and the DOT text; report::render_dot_svg with a real dot, with bad DOT and with
// input dot stops reading (no SIGPIPE may end the caller).
#include "nabla/report/graphviz.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/report/report.hpp"
#include "report/xml_check.hpp"

using namespace nabla;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

namespace {

std::string graph_section(const report::RunRecord& record) {
  const std::string page = report::render_html(record);
  const size_t start = page.find("<section id=\"section-graph\">");
  return start == std::string::npos ? "" : page.substr(start, page.find("</section>", start) - start);
}

bool have_dot() { return !report::find_on_path("dot").empty(); }

}  // namespace

TEST(GraphSection, TheSvgGoesInlineAndTheNoteWithTheDotTextOtherwise) {
  report::RunRecord record;
  EXPECT_EQ(graph_section(record), "");
  record.graph_dot = "digraph autograd {\n  n1 -> n0;\n}\n";
  record.graph_svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8pt\" height=\"8pt\"><g/></svg>";
  std::string drawn = graph_section(record);
  EXPECT_THAT(drawn, HasSubstr("<div id=\"graph\" style=\"overflow:auto;max-height:900px\"><svg"));
  EXPECT_THAT(drawn, Not(HasSubstr("graph-note")));
  const std::string page = report::render_html(record);
  EXPECT_EQ(report::testing::xml_problem(page.substr(page.find('\n') + 1)), "");

  record.graph_svg.clear();
  record.graph_note = "Graphviz's dot is not on PATH <here>";
  const std::string text = graph_section(record);
  EXPECT_THAT(text, HasSubstr("<p id=\"graph-note\" style=\"margin:4px\">Graphviz&#39;s dot is not on PATH &lt;here&gt;</p>"));
  EXPECT_THAT(text, HasSubstr("<pre id=\"graph-dot\">digraph autograd {\n  n1 -&gt; n0;"));
  EXPECT_THAT(text, Not(HasSubstr("<svg")));

  record.graph_dot.clear();  // the capture failed: the note alone
  EXPECT_THAT(graph_section(record), HasSubstr("graph-note"));
  EXPECT_THAT(graph_section(record), Not(HasSubstr("graph-dot")));
}

TEST(GraphSection, DotDrawsSvgWithoutItsProlog) {
  if (!have_dot()) GTEST_SKIP() << "Graphviz's dot is not on PATH; scripts/install-deps.sh installs graphviz";
  const report::GraphvizSvg drawn = report::render_dot_svg("digraph g { a -> \"b<&>\"; }\n");
  EXPECT_EQ(drawn.problem, "");
  EXPECT_THAT(drawn.svg, StartsWith("<svg"));
  EXPECT_THAT(drawn.svg, HasSubstr("b&lt;&amp;&gt;"));
  EXPECT_EQ(drawn.svg.substr(drawn.svg.size() - 6), "</svg>");
  EXPECT_EQ(report::testing::xml_problem(drawn.svg), "");
}

TEST(GraphSection, BadDotIsAProblemNotAnException) {
  if (!have_dot()) GTEST_SKIP() << "Graphviz's dot is not on PATH; scripts/install-deps.sh installs graphviz";
  const report::GraphvizSvg bad = report::render_dot_svg("digraph {");
  EXPECT_EQ(bad.svg, "");
  EXPECT_THAT(bad.problem, HasSubstr("-Tsvg exited with status 1"));
  EXPECT_THAT(bad.problem, HasSubstr("syntax error"));
  // 8 MiB after a syntax error: dot stops reading and exits while this side still writes, so
  // the write fails with EPIPE; blocked SIGPIPE keeps this process alive.
  const report::GraphvizSvg cut = report::render_dot_svg("}{\n" + std::string(8 << 20, ' '));
  EXPECT_EQ(cut.svg, "");
  EXPECT_THAT(cut.problem, HasSubstr("exited with status"));
}
