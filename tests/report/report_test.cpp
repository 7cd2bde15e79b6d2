// report.html (src/report): every plot present with its id for a full record, each one gone
// when its data is empty, a self-contained page (no scripts, no URLs but the SVG namespace),
// well-formed markup, escaped text, non-finite values counted instead of drawn, the record
// checks, and the atomic write.
#include "nabla/report/report.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <regex>

#include "nabla/error.hpp"
#include "report/sample_record.hpp"
#include "report/xml_check.hpp"

using namespace nabla::report;
using nabla::report::testing::count;
using nabla::report::testing::kPlotIds;
using nabla::report::testing::sample_record;
using nabla::report::testing::xml_problem;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

namespace {


bool has_plot(const std::string& page, const std::string& id) {
  return page.find("id=\"" + id + "\"") != std::string::npos;
}

// The <figure> holding the plot `id`, or "".
std::string figure_of(const std::string& page, const std::string& id) {
  const size_t at = page.find("id=\"" + id + "\"");
  if (at == std::string::npos) return "";
  const size_t begin = page.rfind("<figure", at);
  const size_t end = page.find("</figure>", at);
  return page.substr(begin, end + 9 - begin);
}

void expect_error(const RunRecord& record, const std::string& message) {
  try {
    render_html(record);
    ADD_FAILURE() << "expected an error containing: " << message;
  } catch (const nabla::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr(message));
  }
}

}  // namespace

TEST(Report, FullRecordHasEveryPlotOnce) {
  const std::string page = render_html(sample_record());
  for (const auto& id : kPlotIds) EXPECT_EQ(count(page, "id=\"" + id + "\""), 1u) << id;
  EXPECT_EQ(count(page, "class=\"plot\""), kPlotIds.size());
  EXPECT_EQ(count(page, "<svg"), kPlotIds.size());
  // Sections in the order of report.hpp.
  size_t last = 0;
  for (const auto& id : kPlotIds) {
    const size_t at = page.find("id=\"" + id + "\"");
    EXPECT_GT(at, last) << id << " out of order";
    last = at;
  }
  EXPECT_THAT(page, HasSubstr("<details><summary>Configuration</summary><pre>"));
  EXPECT_THAT(page, HasSubstr("<th>test accuracy</th><td>88.4%</td>"));
}

TEST(Report, PageIsSelfContained) {
  const std::string page = render_html(sample_record());
  std::string lower = page;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  EXPECT_EQ(lower.find("<script"), std::string::npos);
  EXPECT_EQ(lower.find("javascript:"), std::string::npos);
  EXPECT_EQ(count(lower, "http"), count(page, "xmlns=\"http://www.w3.org/2000/svg\""));
  // Images are inline data, never files.
  const std::regex href("href=\"([^\"]*)\"");
  size_t images = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), href); it != std::sregex_iterator();
       ++it, ++images)
    EXPECT_EQ((*it)[1].str().rfind("data:image/png;base64,", 0), 0u);
  EXPECT_EQ(images, 15u);
}

TEST(Report, MarkupIsWellFormed) {
  const std::string page = render_html(sample_record());
  const auto svgs = nabla::report::testing::svg_elements(page);
  ASSERT_EQ(svgs.size(), kPlotIds.size());
  for (const auto& svg : svgs) EXPECT_EQ(xml_problem(svg), "") << svg.substr(0, 120);
  // The whole page is XHTML-compatible too (after its doctype line).
  const std::string doctype = "<!DOCTYPE html>\n";
  ASSERT_EQ(page.rfind(doctype, 0), 0u);
  EXPECT_EQ(xml_problem(page.substr(doctype.size())), "");
  // The scanner itself catches what it should.
  EXPECT_NE(xml_problem("<svg><g></svg>"), "");
  EXPECT_NE(xml_problem("<svg><text>a < b</text></svg>"), "");
  EXPECT_NE(xml_problem("<svg a=\"1\" a=\"2\"/>"), "");
  EXPECT_NE(xml_problem("<svg>&nbsp;</svg>"), "");
}

TEST(Report, EachPlotVanishesWithItsData) {
  const std::vector<std::pair<std::string, std::function<void(RunRecord&)>>> cases = {
      {"loss", [](RunRecord& r) { r.step_epoch = r.step_loss = r.train_loss = r.val_loss = {}; }},
      {"accuracy", [](RunRecord& r) { r.train_accuracy = r.val_accuracy = {}; }},
      {"learning-rate", [](RunRecord& r) { r.learning_rate = {}; }},
      {"update-ratios",
       [](RunRecord& r) {
         for (auto& p : r.update_ratios) p.second = {};
       }},
      {"activation-histograms", [](RunRecord& r) { r.activation_histograms = {}; }},
      {"gradient-histograms", [](RunRecord& r) { r.gradient_histograms = {}; }},
      {"dead-relu", [](RunRecord& r) { r.dead_relu_fraction = {}; }},
      {"confusion", [](RunRecord& r) { r.confusion = {}; }},
      {"misclassified", [](RunRecord& r) { r.misclassified = {}; }},
      {"decision-boundary", [](RunRecord& r) { r.boundary = {}; }},
  };
  for (const auto& [id, clear] : cases) {
    RunRecord record = sample_record();
    clear(record);
    const std::string page = render_html(record);
    EXPECT_FALSE(has_plot(page, id)) << id;
    for (const auto& other : kPlotIds)
      if (other != id) {
        EXPECT_TRUE(has_plot(page, other)) << other << " lost with " << id;
      }
  }
}

TEST(Report, SectionsAndExtrasVanishWhenEmpty) {
  RunRecord record = sample_record();
  record.confusion = {};
  record.misclassified = {};
  record.boundary = {};
  record.config_text = "";
  record.facts = {};
  const std::string page = render_html(record);
  EXPECT_THAT(page, Not(HasSubstr("section-test")));
  EXPECT_THAT(page, Not(HasSubstr("section-boundary")));
  EXPECT_THAT(page, HasSubstr("section-training"));
  EXPECT_THAT(page, Not(HasSubstr("<details")));
  EXPECT_THAT(page, Not(HasSubstr("class=\"facts\"")));

  const std::string empty = render_html(RunRecord{});
  EXPECT_THAT(empty, Not(HasSubstr("<svg")));
  EXPECT_THAT(empty, Not(HasSubstr("<section")));
  EXPECT_THAT(empty, HasSubstr("<h1>Training report</h1>"));
  EXPECT_EQ(xml_problem(empty.substr(empty.find('\n') + 1)), "");
}

TEST(Report, EpochLossesStandInForMissingSteps) {
  RunRecord record = sample_record();
  record.step_epoch = record.step_loss = {};
  const std::string loss = figure_of(render_html(record), "loss");
  EXPECT_THAT(loss, HasSubstr("<polyline"));
  EXPECT_THAT(loss, Not(HasSubstr("per step</text>")));
}

TEST(Report, TextIsEscaped) {
  RunRecord record = sample_record();
  record.title = "<&>\"";
  record.facts = {{"a<b", "x&y"}};
  record.class_names[0] = "<T-shirt>";
  record.update_ratios[0].first = "w\"<1>";
  const std::string page = render_html(record);
  EXPECT_THAT(page, HasSubstr("<h1>&lt;&amp;&gt;&quot;</h1>"));
  EXPECT_THAT(page, HasSubstr("<title>&lt;&amp;&gt;&quot;</title>"));
  EXPECT_THAT(page, Not(HasSubstr("<&>\"")));
  EXPECT_THAT(page, HasSubstr("<th>a&lt;b</th><td>x&amp;y</td>"));
  EXPECT_THAT(page, HasSubstr("&lt;T-shirt&gt;"));
  EXPECT_THAT(page, HasSubstr("w&quot;&lt;1&gt;"));
  EXPECT_THAT(page, HasSubstr("momentum &lt;0.9&gt;"));  // the config text
  EXPECT_EQ(xml_problem(page.substr(page.find('\n') + 1)), "");
}

TEST(Report, NonFiniteValuesAreCountedNotDrawn) {
  const std::string loss = figure_of(render_html(sample_record()), "loss");
  // One NaN step loss and one infinite validation loss.
  EXPECT_THAT(loss, HasSubstr("2 non-finite values not drawn"));
  EXPECT_THAT(loss, HasSubstr("mean of 10 steps"));
  for (const char* bad : {"nan", "NaN", "inf"}) EXPECT_THAT(loss, Not(HasSubstr(bad))) << bad;

  RunRecord all_bad = sample_record();
  for (double& v : all_bad.step_loss) v = std::numeric_limits<double>::quiet_NaN();
  all_bad.val_loss = {};
  const std::string page = render_html(all_bad);
  EXPECT_THAT(figure_of(page, "loss"), HasSubstr("500 non-finite values not drawn"));
  EXPECT_EQ(xml_problem(nabla::report::testing::svg_elements(page)[0]), "");
}

TEST(Report, SeriesWithoutAFiniteValueCountAsEmpty) {
  // A run without a validation split records NaN, not nothing, for the validation columns.
  RunRecord record = sample_record();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  record.val_loss.assign(10, nan);
  record.train_accuracy.assign(10, nan);
  record.val_accuracy.assign(10, nan);
  record.learning_rate.assign(10, nan);
  for (auto& [name, ratios] : record.update_ratios) ratios.assign(ratios.empty() ? 0 : 10, nan);
  const std::string page = render_html(record);
  for (const char* id : {"accuracy", "learning-rate", "update-ratios"})
    EXPECT_FALSE(has_plot(page, id)) << id;
  const std::string loss = figure_of(page, "loss");
  EXPECT_THAT(loss, Not(HasSubstr(">validation</text>")));
  EXPECT_THAT(loss, HasSubstr("1 non-finite value not drawn"));  // the NaN step

  RunRecord line = sample_record();  // every point on one vertical line
  line.boundary.x_low = line.boundary.x_high = 0.5;
  EXPECT_TRUE(has_plot(render_html(line), "decision-boundary"));
}

TEST(Report, NumbersArePrintedShort) {
  const std::string page = render_html(sample_record());
  // Every number a person reads has at most 4 significant digits (counts are integers).
  const std::regex text("<text[^>]*>([^<]*)</text>");
  const std::regex decimal("[0-9]*\\.[0-9]+(e-?[0-9]+)?");
  size_t checked = 0;
  for (auto it = std::sregex_iterator(page.begin(), page.end(), text); it != std::sregex_iterator();
       ++it) {
    const std::string content = (*it)[1].str();
    for (auto n = std::sregex_iterator(content.begin(), content.end(), decimal);
         n != std::sregex_iterator(); ++n, ++checked) {
      std::string digits = n->str().substr(0, n->str().find('e'));
      digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
      digits.erase(0, digits.find_first_not_of('0'));
      EXPECT_LE(digits.size(), 4u) << content;
    }
  }
  EXPECT_GT(checked, 20u);
  // Coordinates carry at most one decimal.
  EXPECT_FALSE(
      std::regex_search(page, std::regex(" (x|y|cx|cy|width|height)=\"-?[0-9]+\\.[0-9]{2,}\"")));
  const std::string ratios = figure_of(page, "update-ratios");
  EXPECT_THAT(ratios, HasSubstr("(log scale)"));
  EXPECT_THAT(ratios, HasSubstr(">1e-3</text>"));  // the guide line's label
  EXPECT_THAT(ratios, HasSubstr(">2.bias</text>"));
  EXPECT_THAT(ratios, Not(HasSubstr("frozen")));  // its series is empty: no legend entry
}

TEST(Report, GridPlotsShowTheirData) {
  RunRecord record = sample_record();
  for (int i = 0; i < 30; ++i) record.misclassified.push_back(record.misclassified[0]);
  const std::string page = render_html(record);
  const std::string confusion = figure_of(page, "confusion");
  EXPECT_THAT(confusion, HasSubstr(">850</text>"));
  EXPECT_THAT(confusion, HasSubstr("Ankle boot"));
  EXPECT_THAT(confusion, HasSubstr("Accuracy 90.4% of 10000 examples"));
  const std::string images = figure_of(page, "misclassified");
  EXPECT_EQ(count(images, "<image"), 36u);
  EXPECT_THAT(images, HasSubstr("Showing 36 of 45."));
  const std::string boundary = figure_of(page, "decision-boundary");
  EXPECT_EQ(count(boundary, "<circle"), 150u);
  const size_t cells = count(boundary, "<rect") - 1;  // less the frame
  EXPECT_LT(cells, 60u * 60u / 4);                    // equal runs merged
  EXPECT_GE(cells, 60u);                              // at least one per row
}

TEST(Report, RejectsInconsistentRecords) {
  auto with = [](const std::function<void(RunRecord&)>& change) {
    RunRecord r = sample_record();
    change(r);
    return r;
  };
  expect_error(with([](RunRecord& r) { r.step_epoch.pop_back(); }),
               "render_html: 500 step losses but 499 step epochs");
  expect_error(with([](RunRecord& r) { r.val_loss.push_back(1); }),
               "render_html: val_loss has 11 values but epoch has 10");
  expect_error(with([](RunRecord& r) { r.update_ratios[1].second.pop_back(); }),
               "update_ratios['0.bias'] has 9 values");
  expect_error(with([](RunRecord& r) { r.confusion[2].pop_back(); }),
               "confusion row 2 has 9 entries but there are 10 rows");
  expect_error(with([](RunRecord& r) { r.class_names.pop_back(); }),
               "9 class names for a 10x10 confusion matrix");
  expect_error(with([](RunRecord& r) { r.misclassified[1].pixels.pop_back(); }),
               "misclassified image 1 has 783 pixels for shape [1, 28, 28]");
  expect_error(with([](RunRecord& r) { r.misclassified[0].channels = 2; }),
               "misclassified image 0 has 2 channels");
  expect_error(with([](RunRecord& r) { r.boundary.grid_classes.pop_back(); }),
               "boundary.grid_classes has 3599 entries for a 60x60 grid");
  expect_error(with([](RunRecord& r) { r.boundary.point_class.pop_back(); }),
               "boundary has 150 x, 150 y and 149 classes");
  expect_error(with([](RunRecord& r) { r.boundary.x_high = -1.6; }), "boundary range [-1.5, -1.6]");
  expect_error(with([](RunRecord& r) {
                 r.activation_histograms[0].high = std::numeric_limits<double>::quiet_NaN();
               }),
               "activation histogram 'relu 1' has range");
}

TEST(Report, WriteReportPublishesTheWholePage) {
  const fs::path dir =
      fs::temp_directory_path() / ("nabla_report_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string path = (dir / "report.html").string();
  const RunRecord record = sample_record();
  write_report(path, record);
  std::ifstream in(path, std::ios::binary);
  const std::string written((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(written, render_html(record));
  size_t files = 0;
  for ([[maybe_unused]] const auto& entry : fs::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);  // no temporary left beside it

  try {
    write_report((dir / "missing" / "report.html").string(), record);
    ADD_FAILURE() << "expected an error";
  } catch (const nabla::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("write_report"));
  }
  fs::remove_all(dir);
}
