// report.html in a real browser: headless Chromium (Debian's `chromium`, installed by
// scripts/install-deps.sh) opens the written report and every plot is in its DOM with content;
// the same page served as XHTML goes through Chromium's strict XML parser without an error.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "nabla/report/report.hpp"
#include "report/chromium.hpp"
#include "report/sample_record.hpp"
#include "report/xml_check.hpp"

using namespace nabla::report;
using namespace nabla::report::testing;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

namespace {


// A fresh private directory, removed at the end of the test.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "nabla_report_chromium_XXXXXX").string();
    path = ::mkdtemp(pattern.data()) ? fs::path(pattern) : fs::path();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path.empty()) fs::remove_all(path, ignored);
  }
};

}  // namespace

TEST(ReportChromium, ReportOpensWithEveryPlot) {
  const std::string chromium = find_on_path("chromium");
  ASSERT_FALSE(chromium.empty())
      << "`chromium` is not on PATH; run scripts/install-deps.sh (it installs Debian's chromium "
         "package, which this test needs to open report.html headless)";
  TempDir dir;
  ASSERT_FALSE(dir.path.empty()) << "mkdtemp failed";
  const std::string page = (dir.path / "report.html").string();
  write_report(page, sample_record());

  const ChromiumRun run = run_chromium(chromium, "file://" + page, {"--dump-dom"}, dir.path);
  ASSERT_EQ(run.status, 0) << "chromium failed (124: timed out); its stderr:\n" << run.errors;
  const std::string& dom = run.output;
  ASSERT_THAT(dom, HasSubstr("</html>")) << "no DOM came back; chromium's stderr:\n" << run.errors;
  EXPECT_GE(count(dom, "<svg"), kPlotIds.size());
  EXPECT_THAT(dom, HasSubstr("<polyline"));
  EXPECT_THAT(dom, HasSubstr("<path"));
  EXPECT_EQ(count(dom, "<image"), 15u);
  const auto svgs = svg_elements(dom);
  for (const auto& id : kPlotIds) {
    const auto it = std::find_if(svgs.begin(), svgs.end(), [&](const std::string& svg) {
      return svg.find("id=\"" + id + "\"") != std::string::npos;
    });
    ASSERT_NE(it, svgs.end()) << "plot " << id << " missing from the DOM";
    EXPECT_GT(count(*it, "<"), 12u) << "plot " << id << " has next to no content";
  }
}

TEST(ReportChromium, ReportParsesAsStrictXhtml) {
  const std::string chromium = find_on_path("chromium");
  ASSERT_FALSE(chromium.empty()) << "`chromium` is not on PATH; run scripts/install-deps.sh";
  TempDir dir;
  ASSERT_FALSE(dir.path.empty()) << "mkdtemp failed";
  // The page is polyglot markup: with the XHTML namespace it must pass the XML parser, which
  // reports any unbalanced tag or stray '&' as a <parsererror> element in the document.
  std::string html = render_html(sample_record());
  const std::string root = "<html lang=\"en\">";
  ASSERT_NE(html.find(root), std::string::npos);
  html.replace(html.find(root), root.size(),
               "<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">");
  const std::string page = (dir.path / "report.xhtml").string();
  std::ofstream(page, std::ios::binary) << html;

  const ChromiumRun run = run_chromium(chromium, "file://" + page, {"--dump-dom"}, dir.path);
  ASSERT_EQ(run.status, 0) << "chromium failed (124: timed out); its stderr:\n" << run.errors;
  EXPECT_THAT(run.output, Not(HasSubstr("parsererror"))) << run.output.substr(0, 3000);
  for (const auto& id : kPlotIds) EXPECT_THAT(run.output, HasSubstr("id=\"" + id + "\""));
}
