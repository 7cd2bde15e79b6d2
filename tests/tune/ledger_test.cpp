// The ledger (trials.jsonl) round trip and its damage rules, the ranking of trials, the results
// table's three forms, the scatter plot and the tuning report's page.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "nabla/tune/results.hpp"
#include "nabla/tune/search.hpp"
#include "report/scatter.hpp"

namespace nabla::tune {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("nabla_tune_" + std::to_string(getpid()) + "_" + name)).string();
}

TrialRecord record(int64_t id, int64_t rung, double metric, Status status = Status::ok) {
  TrialRecord r;
  r.id = id;
  r.rung = rung;
  r.epochs = rung + 1;
  r.params = {{"optimizer.lr", "0.01"}, {"optimizer.name", "\"adam\""}};
  r.metric = r.val_accuracy = metric;
  r.val_loss = 1 - metric;
  r.status = status;
  r.log = "trials/0000/train.log";
  r.seconds = 1.5;
  return r;
}

TEST(TuneLedger, AppendsAndReadsBack) {
  const std::string path = temp_path("ledger.jsonl");
  fs::remove(path);
  {
    Ledger ledger = Ledger::open(path);
    EXPECT_TRUE(ledger.records().empty());
    ledger.append(record(0, 0, 0.5));
    ledger.append(record(1, 0, NAN, Status::failed));
  }
  const Ledger ledger = Ledger::open(path);
  ASSERT_EQ(ledger.records().size(), 2u);
  EXPECT_EQ(ledger.records()[0].params, record(0, 0, 0.5).params);
  EXPECT_EQ(ledger.records()[0].metric, 0.5);
  EXPECT_TRUE(std::isnan(ledger.records()[1].metric));
  EXPECT_EQ(ledger.records()[1].status, Status::failed);
  EXPECT_NE(ledger.find(1, 0), nullptr);
  EXPECT_EQ(ledger.find(1, 1), nullptr);
  fs::remove(path);
}

TEST(TuneLedger, ATornLastLineIsDroppedAndCutOff) {
  const std::string path = temp_path("torn.jsonl");
  fs::remove(path);
  Ledger::open(path).append(record(0, 0, 0.5));
  { std::ofstream(path, std::ios::app) << "{\"id\": 1, \"round\": 0, \"ru"; }
  std::vector<std::string> warnings;
  Ledger ledger = Ledger::open(path, &warnings);
  EXPECT_EQ(ledger.records().size(), 1u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_THAT(warnings[0], HasSubstr("torn last line 2"));
  ledger.append(record(1, 0, 0.6));  // lands on a clean line
  EXPECT_EQ(Ledger::open(path).records().size(), 2u);
  fs::remove(path);
}

TEST(TuneLedger, ADamagedLineBeforeTheEndIsAnError) {
  const std::string path = temp_path("damaged.jsonl");
  { std::ofstream(path) << "not json\n" << "{}\n"; }
  try {
    Ledger::open(path);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("line 1 is damaged"));
  }
  fs::remove(path);
}

TEST(TuneRanking, OkFirstThenHigherRungThenMetric) {
  const std::vector<TrialRecord> records = {record(0, 0, 0.7), record(1, 0, 0.9), record(0, 1, 0.8),
                                            record(2, 0, NAN, Status::failed), record(3, 0, 0.95)};
  const std::vector<TrialRecord> ranked = latest_ranked(records, true);
  ASSERT_EQ(ranked.size(), 4u);
  EXPECT_EQ(ranked[0].id, 0);  // the only one at rung 1
  EXPECT_EQ(ranked[1].id, 3);
  EXPECT_EQ(ranked[2].id, 1);
  EXPECT_EQ(ranked[3].id, 2);
  EXPECT_EQ(latest_ranked({record(1, 0, 0.2), record(2, 0, 0.1)}, false)[0].id, 2);  // a loss
}

TEST(TuneResults, TableInTextCsvAndMarkdown) {
  SearchSpace space;
  space.params.push_back({.name = "optimizer.lr", .scale = Scale::log, .min = 1e-4, .max = 1});
  space.params.push_back({.name = "optimizer.name", .scale = Scale::choice, .choices = {"\"a,b\""}});
  TrialRecord r = record(0, 0, 0.5);
  r.params[1].second = "\"a,b\"";
  const ResultsTable table = results_table(space, {r}, "val_accuracy");
  EXPECT_EQ(table.header, (std::vector<std::string>{"rank", "id", "round", "optimizer.lr", "optimizer.name",
                                                    "epochs", "val_accuracy", "val_loss", "status"}));
  EXPECT_EQ(table.rows[0][4], "a,b");
  EXPECT_EQ(table.rows[0][8], "ok (default)");
  EXPECT_THAT(format_csv(table), HasSubstr(",\"a,b\","));
  EXPECT_THAT(format_markdown(table), HasSubstr("| 0.5000 |"));
  EXPECT_THAT(format_text(table), HasSubstr("rank  id  round"));
}

TEST(TuneReport, ScatterPerParameterAndTheBestTrialsCurves) {
  SearchSpace space;
  space.params.push_back({.name = "optimizer.lr", .scale = Scale::log, .min = 1e-4, .max = 1});
  space.params.push_back({.name = "optimizer.name", .scale = Scale::choice, .choices = {"\"adam\""}});
  TuneReport report;
  report.title = "t.toml";
  report.space = space;
  report.ranked = {record(1, 0, 0.9), record(0, 0, 0.5)};
  report.best.epoch = {1, 2};
  report.best.val_accuracy = {0.8, 0.9};
  report.best.val_loss = {0.5, 0.4};
  report.trials = {{1, report.best}};
  report.table = results_table(space, report.ranked, "val_accuracy");
  const std::string page = render_tune_report(report);
  EXPECT_THAT(page, HasSubstr("id=\"param-optimizer-lr\""));
  EXPECT_THAT(page, HasSubstr("(log scale)"));
  EXPECT_THAT(page, HasSubstr("id=\"param-optimizer-name\""));
  EXPECT_THAT(page, HasSubstr("id=\"trial-curves\""));
  EXPECT_THAT(page, HasSubstr("id=\"accuracy\""));
  EXPECT_THAT(page, HasSubstr("Best trial (1)"));
  EXPECT_THAT(page, Not(HasSubstr("<script")));
}

TEST(TuneReport, ScatterPlotCountsWhatItCannotDraw) {
  report::ScatterChart chart{.id = "s", .title = "lr", .x_label = "lr", .y_label = "acc", .log_x = true};
  chart.groups.push_back({.name = "trials", .colour = "#123456", .x = {0.1, 0.01, -1}, .y = {0.5, 0.6, 0.7}});
  const std::string html = report::scatter_plot(chart);
  EXPECT_THAT(html, HasSubstr("id=\"s\""));
  EXPECT_THAT(html, HasSubstr("1 point without a drawable value"));
  EXPECT_EQ(report::scatter_plot(report::ScatterChart{.id = "empty"}), "");
  report::ScatterChart categories{.id = "c", .categories = {"sgd", "adam"}};
  categories.groups.push_back({.colour = "#000000", .x = {0, 1}, .y = {0.5, 0.6}});
  EXPECT_THAT(report::scatter_plot(categories), HasSubstr(">adam<"));
}

}  // namespace
}  // namespace nabla::tune
