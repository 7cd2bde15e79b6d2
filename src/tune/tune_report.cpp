// tune_report.html: a self-contained page (inline SVG and CSS, like report.html) with each
// parameter plotted against the metric, every trial's validation curve (where halving stopped
// trials shows as curves that end early), the best trial's loss and accuracy, and the table.
#include <algorithm>
#include <cctype>
#include <cmath>

#include "nabla/io/atomic_file.hpp"
#include "nabla/tune/results.hpp"
#include "report/plots.hpp"
#include "report/scatter.hpp"
#include "report/svg.hpp"
#include "tune/toml_text.hpp"

namespace nabla::tune {

namespace {

using report::escape;

// report.html's stylesheet (report::page_style) plus the results table.
constexpr const char* kResultsStyle = R"css(
table.results{border-collapse:collapse;background:#fff;border:1px solid #e1e4e8;
  font-size:12.5px;display:block;overflow-x:auto}
table.results th,table.results td{padding:4px 10px;text-align:left;border-top:1px solid #eef0f2;
  font-variant-numeric:tabular-nums}
table.results tr.best td{background:#fdecea}
)css";

constexpr const char* kFull = "#1f77b4";
constexpr const char* kStopped = "#a9b4c0";
constexpr const char* kBest = "#d62728";
constexpr const char* kDefault = "#222222";

std::string slug(const std::string& name) {
  std::string out;
  for (char c : name) out += std::isalnum(static_cast<unsigned char>(c)) ? c : '-';
  return out;
}

// Where a trial's value of `param` sits on the plot's x axis (a category's index for choices).
double x_of(const Param& param, const Value& value, std::vector<std::string>& categories) {
  if (param.numeric()) {
    const double x = value.number();
    return param.scale == Scale::log1m ? 1.0 - x : x;
  }
  const std::string label = value.label();
  auto it = std::find(categories.begin(), categories.end(), label);
  if (it == categories.end()) it = categories.insert(categories.end(), label);
  return static_cast<double>(it - categories.begin());
}

std::string parameter_plot(const TuneReport& report, size_t index) {
  const Param& param = report.space.params[index];
  report::ScatterChart chart;
  chart.id = "param-" + slug(param.name);
  chart.title = param.name;
  chart.x_label = param.scale == Scale::log1m ? "1 − " + param.name : param.name;
  chart.y_label = report.metric;
  chart.log_x = param.scale == Scale::log || param.scale == Scale::log1m;
  if (!param.numeric()) {
    for (const std::string& c : param.choices) chart.categories.push_back(Value{c}.label());
    for (double v : param.values) chart.categories.push_back(exact_value(param, v).label());
  }
  int64_t top_rung = 0;
  for (const TrialRecord& r : report.ranked) top_rung = std::max(top_rung, r.rung);
  report::ScatterGroup full{.name = "full budget", .colour = kFull};
  report::ScatterGroup stopped{.name = "stopped early (halving)", .colour = kStopped};
  report::ScatterGroup best{.name = "best", .colour = kBest, .radius = 7, .ring = true};
  report::ScatterGroup base{.name = "default", .colour = kDefault, .radius = 7, .ring = true};
  for (size_t i = 0; i < report.ranked.size(); ++i) {
    const TrialRecord& r = report.ranked[i];
    const double x = x_of(param, point_of(report.space, r)[index], chart.categories);
    report::ScatterGroup& group = r.rung == top_rung ? full : stopped;
    group.x.push_back(x), group.y.push_back(r.metric);
    if (i == 0 && r.status == Status::ok) best.x.push_back(x), best.y.push_back(r.metric);
    if (r.id == report.default_id) base.x.push_back(x), base.y.push_back(r.metric);
  }
  chart.groups = {stopped, full, base, best};
  chart.caption = "Each trial's " + report.metric + " against its " + param.name + " (" +
                  scale_name(param.scale) + " scale). A clear peak says where to search next; a "
                  "flat cloud says the metric is not sensitive to it here.";
  return report::scatter_plot(chart);
}

std::string trials_plot(const TuneReport& report) {
  report::LineChart chart;
  chart.id = "trial-curves";
  chart.title = "Every trial's " + report.metric;
  chart.x_label = "epoch";
  chart.integer_x = true;
  chart.y_label = report.metric;
  const int64_t best_id = report.ranked.empty() ? -1 : report.ranked.front().id;
  for (const auto& [id, curves] : report.trials) {
    const bool accuracy = report.metric == "val_accuracy";
    const std::vector<double>& y = accuracy ? curves.val_accuracy : curves.val_loss;
    const bool best = id == best_id, base = id == report.default_id;
    chart.series.push_back({.name = best ? "best (trial " + std::to_string(id) + ")"
                                         : base ? "default (trial 0)" : "",
                            .x = curves.epoch,
                            .y = y,
                            .colour = best ? kBest : base ? kDefault : kStopped,
                            .style = report::Series::Style::line_with_markers,
                            .width = best || base ? 2.2 : 1.2});
  }
  // The best and the default on top of the others.
  std::stable_partition(chart.series.begin(), chart.series.end(),
                        [](const report::Series& s) { return s.name.empty(); });
  if (chart.series.empty()) return "";
  chart.caption = "Validation curve of each trial. With successive halving most curves end at "
                  "the first rungs; the survivors continue from their checkpoints.";
  return report::line_chart(chart);
}

std::string best_plots(const TuneReport& report) {
  report::RunRecord record;
  record.epoch = report.best.epoch;
  record.train_loss = report.best.train_loss;
  record.val_loss = report.best.val_loss;
  record.train_accuracy = report.best.train_accuracy;
  record.val_accuracy = report.best.val_accuracy;
  record.learning_rate = report.best.learning_rate;
  if (record.epoch.empty()) return "";
  return report::loss_plot(record) + report::accuracy_plot(record) +
         report::learning_rate_plot(record);
}

std::string section(const std::string& id, const std::string& heading, const std::string& body) {
  if (body.empty()) return "";
  return "<section id=\"section-" + id + "\"><h2>" + escape(heading) +
         "</h2>\n<div class=\"grid\">\n" + body + "</div></section>\n";
}

std::string table_html(const ResultsTable& table) {
  if (table.rows.empty()) return "";
  std::string out = "<section id=\"section-results\"><h2>Results</h2>\n<table class=\"results\"><tr>";
  for (const std::string& h : table.header) out += "<th>" + escape(h) + "</th>";
  out += "</tr>\n";
  for (size_t i = 0; i < table.rows.size(); ++i) {
    out += i == 0 ? "<tr class=\"best\">" : "<tr>";
    for (const std::string& cell : table.rows[i]) out += "<td>" + escape(cell) + "</td>";
    out += "</tr>\n";
  }
  return out + "</table></section>\n";
}

}  // namespace

std::string render_tune_report(const TuneReport& report) {
  const std::string title = report.title.empty() ? "Tuning report" : report.title;
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n"
                     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
                     "<title>" + escape(title) + "</title>\n<style>" + report::page_style() + kResultsStyle +
                     "</style></head>\n<body><main>\n<header><h1>" + escape(title) +
                     "</h1><p>nabla tuning report</p>\n";
  if (!report.facts.empty()) {
    page += "<table class=\"facts\">\n";
    for (const auto& [key, value] : report.facts)
      page += "<tr><th>" + escape(key) + "</th><td>" + escape(value) + "</td></tr>\n";
    page += "</table>\n";
  }
  page += "</header>\n";
  std::string parameters;
  for (size_t i = 0; i < report.space.params.size(); ++i) parameters += parameter_plot(report, i);
  page += section("parameters", "Parameters against " + report.metric, parameters);
  page += section("trials", "Trials", trials_plot(report));
  const std::string best_heading =
      report.ranked.empty() ? "Best trial" : "Best trial (" + std::to_string(report.ranked.front().id) + ")";
  page += section("best", best_heading, best_plots(report));
  page += table_html(report.table);
  if (!report.best_config.empty())
    page += "<details><summary>best.toml</summary><pre>" + escape(report.best_config) +
            "</pre></details>\n";
  page += "<footer>Written by nabla tune. Self-contained: no scripts, no external files.</footer>\n";
  return page + "</main></body></html>\n";
}

void write_tune_report(const std::string& path, const TuneReport& report) {
  io::write_file_atomically(path, render_tune_report(report), "nabla tune");
}

}  // namespace nabla::tune
