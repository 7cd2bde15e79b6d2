// The results table of a search in three forms (aligned text for the terminal, CSV, Markdown)
// and the trials' curves read back from their metrics.jsonl.
#include "nabla/tune/results.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nabla/io/atomic_file.hpp"

namespace nabla::tune {

namespace {

double number_or_nan(const nlohmann::json& line, const char* key) {
  const auto it = line.find(key);
  return it != line.end() && it->is_number() ? it->get<double>() : std::nan("");
}

std::string fixed(double value, int decimals) {
  if (!std::isfinite(value)) return "-";
  std::ostringstream out;
  out.precision(decimals);
  out << std::fixed << value;
  return out.str();
}

}  // namespace

Curves read_curves(const std::string& metrics_path) {
  Curves curves;
  std::ifstream in(metrics_path);
  for (std::string line; std::getline(in, line);) {
    const nlohmann::json json = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!json.is_object() || json.value("type", "") != "epoch") continue;
    curves.epoch.push_back(number_or_nan(json, "epoch"));
    curves.train_loss.push_back(number_or_nan(json, "train_loss"));
    curves.val_loss.push_back(number_or_nan(json, "val_loss"));
    curves.train_accuracy.push_back(number_or_nan(json, "train_accuracy"));
    curves.val_accuracy.push_back(number_or_nan(json, "val_accuracy"));
    curves.learning_rate.push_back(number_or_nan(json, "learning_rate"));
  }
  return curves;
}

Curves read_trial_curves(const std::string& tune_dir, int64_t id, int64_t folds) {
  std::vector<Curves> runs;
  for (const std::string& dir : trial_run_dirs(id, folds))
    runs.push_back(read_curves(tune_dir + "/" + dir + "/metrics.jsonl"));
  if (runs.size() == 1) return runs[0];
  size_t epochs = runs[0].epoch.size();
  for (const Curves& run : runs) epochs = std::min(epochs, run.epoch.size());
  Curves mean;
  for (auto field : {&Curves::epoch, &Curves::train_loss, &Curves::val_loss,
                     &Curves::train_accuracy, &Curves::val_accuracy, &Curves::learning_rate}) {
    for (size_t e = 0; e < epochs; ++e) {
      double sum = 0.0;
      for (const Curves& run : runs) sum += (run.*field)[e];
      (mean.*field).push_back(sum / static_cast<double>(runs.size()));
    }
  }
  return mean;
}

ResultsTable results_table(const SearchSpace& space, const std::vector<TrialRecord>& ranked,
                           const std::string& metric) {
  const std::string other = metric == "val_accuracy" ? "val_loss" : "val_accuracy";
  ResultsTable table;
  table.header = {"rank", "id", "round"};
  for (const Param& param : space.params) table.header.push_back(param.name);
  const bool folds = std::any_of(ranked.begin(), ranked.end(),
                                 [](const TrialRecord& r) { return !r.fold_metrics.empty(); });
  table.header.push_back("epochs");
  table.header.push_back(metric);
  if (folds) table.header.push_back(metric + "_std");  // over the folds
  table.header.push_back(other);
  table.header.push_back("status");
  for (size_t i = 0; i < ranked.size(); ++i) {
    const TrialRecord& r = ranked[i];
    std::vector<std::string> row = {std::to_string(i + 1), std::to_string(r.id),
                                    std::to_string(r.round)};
    for (const Value& value : point_of(space, r)) row.push_back(value.label());
    const double other_value = metric == "val_accuracy" ? r.val_loss : r.val_accuracy;
    row.push_back(std::to_string(r.epochs));
    row.push_back(fixed(r.metric, 4));
    if (folds) row.push_back(fixed(r.metric_std, 4));
    row.push_back(fixed(other_value, 4));
    row.push_back(std::string(status_name(r.status)) + (r.id == 0 ? " (default)" : ""));
    table.rows.push_back(std::move(row));
  }
  return table;
}

std::string format_text(const ResultsTable& table) {
  std::vector<size_t> width(table.header.size());
  for (size_t c = 0; c < width.size(); ++c) {
    width[c] = table.header[c].size();
    for (const auto& row : table.rows) width[c] = std::max(width[c], row[c].size());
  }
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c)
      out += cells[c] + std::string(width[c] - cells[c].size() + (c + 1 < cells.size() ? 2 : 0), ' ');
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  };
  line(table.header);
  for (const auto& row : table.rows) line(row);
  return out;
}

std::string format_csv(const ResultsTable& table) {
  const auto cell = [](const std::string& text) {
    if (text.find_first_of(",\"\n") == std::string::npos) return text;
    std::string quoted = "\"";
    for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    return quoted + "\"";
  };
  std::string out;
  const auto line = [&](const std::vector<std::string>& cells) {
    for (size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) out += ',';
      out += cell(cells[c]);
    }
    out += "\n";
  };
  line(table.header);
  for (const auto& row : table.rows) line(row);
  return out;
}

std::string format_markdown(const ResultsTable& table) {
  const auto cell = [](const std::string& text) {
    std::string escaped;
    for (char c : text) escaped += c == '|' ? std::string("\\|") : std::string(1, c);
    return escaped;
  };
  std::string out = "|";
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on " " + std::string + " |".
  const auto add_cell = [&](const std::string& text) {
    out += ' ';
    out += cell(text);
    out += " |";
  };
  for (const std::string& h : table.header) add_cell(h);
  out += "\n|";
  for (size_t c = 0; c < table.header.size(); ++c) out += " --- |";
  out += "\n";
  for (const auto& row : table.rows) {
    out += "|";
    for (const std::string& text : row) add_cell(text);
    out += "\n";
  }
  return out;
}

void write_results(const std::string& dir, const ResultsTable& table) {
  io::write_file_atomically(dir + "/results.csv", format_csv(table), "nabla tune");
  io::write_file_atomically(dir + "/results.md", format_markdown(table), "nabla tune");
}

}  // namespace nabla::tune
