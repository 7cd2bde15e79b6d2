// report.html: the page around the plots (header, facts, sections, configuration) and its
// inline style. Sections appear in the order of report.hpp and vanish when their data is empty.
#include "nabla/report/report.hpp"

#include <cmath>

#include "nabla/error.hpp"
#include "nabla/io/atomic_file.hpp"
#include "report/plots.hpp"
#include "report/svg.hpp"

namespace nabla::report {

namespace {


void check_per_epoch(const RunRecord& record, const std::string& name,
                     const std::vector<double>& values) {
  NABLA_CHECK(values.empty() || record.epoch.empty() || values.size() == record.epoch.size(),
              "render_html: ", name, " has ", values.size(), " values but epoch has ",
              record.epoch.size(), "; give one value per epoch, or none to leave the plot out");
}

void check_histograms(const std::vector<Histogram>& histograms, const char* what) {
  for (const auto& h : histograms)
    NABLA_CHECK(std::isfinite(h.low) && std::isfinite(h.high) && h.low <= h.high,
                "render_html: ", what, " '", h.name, "' has range [", h.low, ", ", h.high,
                "]; the bin range must be finite with low <= high");
}

void check_grids(const RunRecord& record) {
  const size_t n = record.confusion.size();
  for (size_t r = 0; r < n; ++r) {
    NABLA_CHECK(record.confusion[r].size() == n, "render_html: confusion row ", r, " has ",
                record.confusion[r].size(), " entries but there are ", n,
                " rows; the matrix is [true][predicted], square");
    for (int64_t count : record.confusion[r])
      NABLA_CHECK(count >= 0, "render_html: confusion row ", r, " has the negative count ", count);
  }
  NABLA_CHECK(n == 0 || record.class_names.empty() || record.class_names.size() == n,
              "render_html: ", record.class_names.size(), " class names for a ", n, "x", n,
              " confusion matrix; give one name per class or none");
  for (size_t i = 0; i < record.misclassified.size(); ++i) {
    const auto& m = record.misclassified[i];
    NABLA_CHECK(m.channels == 1 || m.channels == 3, "render_html: misclassified image ", i, " has ",
                m.channels, " channels; only 1 (grey) or 3 (RGB) can be drawn");
    NABLA_CHECK(m.height > 0 && m.width > 0 &&
                    m.pixels.size() == static_cast<size_t>(m.channels * m.height * m.width),
                "render_html: misclassified image ", i, " has ", m.pixels.size(),
                " pixels for shape [", m.channels, ", ", m.height, ", ", m.width,
                "]; pixels must hold channels*height*width values");
  }
  const auto& b = record.boundary;
  NABLA_CHECK(b.grid >= 0, "render_html: boundary.grid is ", b.grid, "; use 0 for no plot");
  if (b.grid == 0) return;
  NABLA_CHECK(b.grid_classes.size() == static_cast<size_t>(b.grid * b.grid),
              "render_html: boundary.grid_classes has ", b.grid_classes.size(), " entries for a ",
              b.grid, "x", b.grid, " grid; it must hold grid*grid classes");
  NABLA_CHECK(std::isfinite(b.x_low) && std::isfinite(b.x_high) && std::isfinite(b.y_low) &&
                  std::isfinite(b.y_high) && b.x_low <= b.x_high && b.y_low <= b.y_high,
              "render_html: boundary range [", b.x_low, ", ", b.x_high, "] x [", b.y_low, ", ",
              b.y_high, "] is not a finite box with low <= high");
  NABLA_CHECK(b.point_x.size() == b.point_y.size() && b.point_x.size() == b.point_class.size(),
              "render_html: boundary has ", b.point_x.size(), " x, ", b.point_y.size(), " y and ",
              b.point_class.size(), " classes for its points; they must match");
  for (int64_t c : b.grid_classes)
    NABLA_CHECK(c >= 0, "render_html: boundary.grid_classes holds the class ", c,
                "; classes are 0, 1, ...");
  for (int64_t c : b.point_class)
    NABLA_CHECK(c >= 0, "render_html: boundary.point_class holds the class ", c,
                "; classes are 0, 1, ...");
}

void check_record(const RunRecord& record) {
  NABLA_CHECK(record.step_lr.empty() || record.step_lr.size() == record.step_epoch.size(),
              "render_html: ", record.step_lr.size(), " step learning rates but ",
              record.step_epoch.size(), " steps; give one per step or none");
  NABLA_CHECK(record.step_epoch.size() == record.step_loss.size(),
              "render_html: ", record.step_loss.size(), " step losses but ",
              record.step_epoch.size(), " step epochs; give the fractional epoch of every step");
  check_per_epoch(record, "train_loss", record.train_loss);
  check_per_epoch(record, "val_loss", record.val_loss);
  check_per_epoch(record, "train_accuracy", record.train_accuracy);
  check_per_epoch(record, "val_accuracy", record.val_accuracy);
  check_per_epoch(record, "learning_rate", record.learning_rate);
  for (const auto& [name, ratios] : record.update_ratios)
    check_per_epoch(record, "update_ratios['" + name + "']", ratios);
  check_histograms(record.activation_histograms, "activation histogram");
  check_histograms(record.gradient_histograms, "gradient histogram");
  check_grids(record);
  for (const TargetFit& fit : record.fits)
    NABLA_CHECK(fit.truth.size() == fit.predicted.size(), "render_html: target '", fit.name,
                "' has ", fit.truth.size(), " true and ", fit.predicted.size(),
                " predicted values; give one prediction per value");
  const LabelScoreTable& l = record.label_scores;
  for (size_t n : {l.precision.size(), l.recall.size(), l.f1.size(), l.average_precision.size()})
    NABLA_CHECK(n == l.names.size(), "render_html: label_scores has ", l.names.size(),
                " names but a score list of ", n, "; give one score per label");
}

// <section> with a heading and a grid of figures, or "" when every figure is empty.
std::string section(const std::string& id, const std::string& heading,
                    const std::vector<std::string>& figures) {
  std::string body;
  for (const auto& f : figures) body += f;
  if (body.empty()) return "";
  return "<section id=\"section-" + id + "\"><h2>" + escape(heading) +
         "</h2>\n<div class=\"grid\">\n" + body + "</div></section>\n";
}

std::string header(const RunRecord& record) {
  const std::string title = record.title.empty() ? "Training report" : record.title;
  std::string out = "<header><h1>" + escape(title) + "</h1><p>nabla training report</p>\n";
  if (!record.facts.empty()) {
    out += "<table class=\"facts\">\n";
    for (const auto& [key, value] : record.facts)
      out += "<tr><th>" + escape(key) + "</th><td>" + escape(value) + "</td></tr>\n";
    out += "</table>\n";
  }
  return out + "</header>\n";
}

}  // namespace

// Two columns of 540px at max-width 1140 less padding; one column on a narrow window.
const char* page_style() {
  return R"css(
*{box-sizing:border-box}
body{margin:0;background:#f5f6f8;color:#222;
  font:14px/1.45 "DejaVu Sans","Helvetica Neue",Helvetica,Arial,sans-serif}
main{max-width:1140px;margin:0 auto;padding:24px}
header h1{font-size:24px;margin:0 0 4px;word-break:break-word}
header p{margin:0 0 14px;color:#666}
h2{font-size:18px;margin:30px 0 12px;padding-bottom:4px;border-bottom:1px solid #dcdfe4}
table.facts{border-collapse:collapse;background:#fff;border:1px solid #e1e4e8;border-radius:6px}
table.facts th,table.facts td{padding:5px 14px;text-align:left;border-top:1px solid #eef0f2;
  vertical-align:top}
table.facts th{font-weight:normal;color:#555}
table.facts td{font-variant-numeric:tabular-nums;font-weight:600}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:12px;align-items:start}
@media (max-width:900px){.grid{grid-template-columns:1fr}}
figure{margin:0;background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:8px}
figure.wide{grid-column:1/-1}
svg.plot{display:block;max-width:100%;height:auto;font-family:inherit}
figcaption{font-size:12.5px;color:#555;margin:6px 4px 2px}
details{margin-top:30px;background:#fff;border:1px solid #e1e4e8;border-radius:6px;
  padding:8px 12px}
summary{cursor:pointer;font-weight:600}
pre{overflow:auto;font-size:12px;line-height:1.4;margin:10px 0 4px}
footer{margin-top:24px;color:#888;font-size:12px}
)css";
}

std::string render_html(const RunRecord& record) {
  check_record(record);
  std::string page = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>\n";
  page += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  page += "<title>" + escape(record.title.empty() ? "Training report" : record.title) +
          "</title>\n<style>" + page_style() + "</style></head>\n<body><main>\n";
  page += header(record);
  page += section("training", "Training",
                  {loss_plot(record), accuracy_plot(record), learning_rate_plot(record),
                   update_ratio_plot(record)});
  page += section(
      "inside", "Inside the network (latest epoch)",
      {histogram_plot("activation-histograms", "Activations", record.activation_histograms,
                      "#4a7fb5",
                      "Distribution of each layer's outputs. Healthy layers spread "
                      "out; all values near zero or piled at the saturation ends "
                      "mean a poor initialisation or learning rate."),
       histogram_plot("gradient-histograms", "Gradients", record.gradient_histograms, "#d9822b",
                      "Distribution of each layer's gradients. Shrinking towards "
                      "the input means vanishing gradients; very wide tails mean "
                      "exploding ones."),
       dead_relu_plot(record)});
  std::vector<std::string> test = {confusion_plot(record), misclassified_plot(record),
                                   label_score_plot(record)};
  for (std::string& plot : regression_plots(record)) test.push_back(std::move(plot));
  page += section("test", "Test set", test);
  page += section("boundary", "Decision boundary", {decision_boundary_plot(record)});
  page += section("pictures", "Filters and activation maps",
                  {filters_plot(record), activation_maps_plot(record)});
  page += section("graph", "Autograd graph of one training step", {graph_plot(record)});
  if (!record.config_text.empty())
    page += "<details><summary>Configuration</summary><pre>" + escape(record.config_text) +
            "</pre></details>\n";
  page += "<footer>Written by nabla. Self-contained: no scripts, no external files.</footer>\n";
  return page + "</main></body></html>\n";
}

void write_report(const std::string& path, const RunRecord& record) {
  io::write_file_atomically(path, render_html(record), "write_report");
}

}  // namespace nabla::report
