// Report details of issue 19: the learning rate drawn per step, no "mean of 1 steps" legend,
// histogram range labels that never overlap the "0" mark, whole-number epoch ticks (the run
// report and the tune report share line_chart).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nabla/error.hpp"
#include "nabla/report/report.hpp"
#include "report/plots.hpp"
#include "report/sample_record.hpp"
#include "report/svg.hpp"

using namespace nabla::report;
using nabla::report::testing::count;
using ::testing::HasSubstr;
using ::testing::Not;

namespace {

// A one-epoch one-cycle run: 20 steps whose lr rises and falls within the epoch.
RunRecord one_epoch(size_t steps) {
  RunRecord record;
  for (size_t i = 0; i < steps; ++i) {
    record.step_epoch.push_back(static_cast<double>(i + 1) / steps);
    record.step_loss.push_back(2.0 - 0.05 * i);
    record.step_lr.push_back(i < steps / 3 ? 0.004 + 0.01 * i : 0.1 / (1 + i));
  }
  record.epoch = {1};
  record.train_loss = {1.5};
  record.learning_rate = {record.step_lr.back()};
  return record;
}

// The points of the first polyline of an SVG fragment.
size_t polyline_points(const std::string& svg) {
  const size_t at = svg.find("<polyline points=\"");
  if (at == std::string::npos) return 0;
  const size_t begin = at + 18, end = svg.find('"', begin);
  return count(svg.substr(begin, end - begin), ",");
}

TEST(ReportFixes, LearningRateIsDrawnPerStep) {
  const RunRecord record = one_epoch(20);
  const std::string plot = learning_rate_plot(record);
  EXPECT_EQ(polyline_points(plot), 20u) << "one point per step, not one per epoch";
  EXPECT_THAT(plot, HasSubstr("of every step"));
  RunRecord epochs_only = record;
  epochs_only.step_lr.clear();
  EXPECT_THAT(learning_rate_plot(epochs_only), HasSubstr("of each epoch"));
  RunRecord bad = record;
  bad.step_lr.pop_back();
  EXPECT_THROW(render_html(bad), nabla::Error);
}

TEST(ReportFixes, NoMeanOfOneStep) {
  EXPECT_THAT(loss_plot(one_epoch(20)), Not(HasSubstr("mean of 1 steps")));
  EXPECT_THAT(loss_plot(one_epoch(200)), HasSubstr("mean of 4 steps"));
}

TEST(ReportFixes, HistogramZeroMarkClearsTheRangeLabels) {
  const auto zero_labels = [](double low, double high) {
    Histogram h{"0.weight", low, high, std::vector<int64_t>(30, 1)};
    return count(histogram_plot("h", "H", {h, h, h}, "#000", ""), ">0</text>");
  };
  EXPECT_EQ(zero_labels(-4.98e-5, 1.5e-4), 0u) << "\"0\" would sit on \"-4.98e-05\"";
  EXPECT_EQ(zero_labels(-1.5e-4, 4.98e-5), 0u);
  EXPECT_EQ(zero_labels(-1.0, 1.0), 3u);  // well inside: marked
}

TEST(ReportFixes, EpochTicksAreWholeNumbers) {
  EXPECT_EQ(linear_axis(1, 3).step, 0.5);  // a plain axis may halve
  const Axis epochs = linear_axis(1, 3, 6, true, 1.0);
  EXPECT_EQ(epochs.step, 1.0);
  EXPECT_EQ(epochs.ticks, (std::vector<double>{1, 2, 3}));
  LineChart chart;
  chart.id = "trial-curves";
  chart.x_label = "epoch";
  chart.integer_x = true;
  chart.series.push_back({.name = "a", .x = {1, 2, 3}, .y = {0.5, 0.6, 0.7}, .colour = "#000"});
  const std::string svg = line_chart(chart);
  EXPECT_THAT(svg, Not(HasSubstr(">1.5</text>")));
  EXPECT_THAT(svg, Not(HasSubstr(">2.5</text>")));
  EXPECT_THAT(svg, HasSubstr(">2</text>"));
}

}  // namespace
