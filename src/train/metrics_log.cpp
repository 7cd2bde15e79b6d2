// metrics.jsonl writer and the JSON forms of the training history.
#include "metrics_log.hpp"

#include <cmath>
#include <filesystem>
#include <limits>
#include <map>

namespace nabla::train::detail {

namespace fs = std::filesystem;

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

double number_from(const Json& value) {
  return value.is_number() ? value.get<double>() : std::numeric_limits<double>::quiet_NaN();
}

Json epoch_to_json(const EpochRecord& record) {
  Json ratios = Json::object();
  for (const auto& [name, ratio] : record.update_ratio) ratios[name] = number_or_null(ratio);
  Json json{{"epoch", record.epoch},
            {"train_loss", number_or_null(record.train_loss)},
            {"train_accuracy", number_or_null(record.train_accuracy)},
            {"val_loss", number_or_null(record.val_loss)},
            {"val_accuracy", number_or_null(record.val_accuracy)},
            {"learning_rate", number_or_null(record.learning_rate)},
            {"seconds", number_or_null(record.seconds)},
            {"samples_per_second", number_or_null(record.samples_per_second)},
            {"update_ratio", std::move(ratios)}};
  if (std::isfinite(record.loss_scale)) {
    json["loss_scale"] = record.loss_scale;
    json["skipped_steps"] = record.skipped_steps;
  }
  return json;
}

EpochRecord epoch_from_json(const Json& json) {
  EpochRecord record;
  record.epoch = json.at("epoch").get<int64_t>();
  record.train_loss = number_from(json.at("train_loss"));
  record.train_accuracy = number_from(json.at("train_accuracy"));
  record.val_loss = number_from(json.at("val_loss"));
  record.val_accuracy = number_from(json.at("val_accuracy"));
  record.learning_rate = number_from(json.at("learning_rate"));
  record.seconds = number_from(json.at("seconds"));
  record.samples_per_second = number_from(json.at("samples_per_second"));
  for (const auto& [name, ratio] : json.at("update_ratio").items())
    record.update_ratio[name] = number_from(ratio);
  if (json.contains("loss_scale")) {
    record.loss_scale = number_from(json.at("loss_scale"));
    record.skipped_steps = json.at("skipped_steps").get<int64_t>();
  }
  return record;
}

const char* stop_kind_name(StopKind kind) {
  switch (kind) {
    case StopKind::none: return "none";
    case StopKind::callback: return "callback";
    case StopKind::non_finite: return "non_finite";
    case StopKind::interrupted: return "interrupted";
  }
  return "none";
}

StopKind stop_kind_from(const std::string& name) {
  for (StopKind kind : {StopKind::none, StopKind::callback, StopKind::non_finite,
                        StopKind::interrupted})
    if (name == stop_kind_name(kind)) return kind;
  NABLA_FAIL("trainer state: unknown stop kind \"", name,
             "\"; the checkpoint was written by a different nabla version");
}

Json history_to_json(const History& history) {
  Json epochs = Json::array(), steps = Json::array();
  for (const EpochRecord& record : history.epochs) epochs.push_back(epoch_to_json(record));
  for (const auto& [epoch, loss] : history.step_loss)
    steps.push_back(Json::array({epoch, number_or_null(loss)}));
  Json lrs = Json::array();
  for (const double lr : history.step_lr) lrs.push_back(number_or_null(lr));
  return Json{{"epochs", std::move(epochs)},
              {"step_loss", std::move(steps)},
              {"step_lr", std::move(lrs)},
              {"stop_reason", history.stop_reason},
              {"stop_kind", stop_kind_name(history.stop_kind)},
              {"best_epoch", history.best_epoch}};
}

History history_from_json(const Json& json) {
  History history;
  for (const Json& record : json.at("epochs")) history.epochs.push_back(epoch_from_json(record));
  for (const Json& step : json.at("step_loss"))
    history.step_loss.emplace_back(step.at(0).get<double>(), number_from(step.at(1)));
  if (json.contains("step_lr"))  // absent from checkpoints before it
    for (const Json& lr : json.at("step_lr")) history.step_lr.push_back(number_from(lr));
  history.stop_reason = json.at("stop_reason").get<std::string>();
  history.stop_kind = stop_kind_from(json.at("stop_kind").get<std::string>());
  history.best_epoch = json.at("best_epoch").get<int64_t>();
  return history;
}

void LogFile::open(const std::string& path, uint64_t keep_bytes, const std::string& header) {
  if (out_.is_open()) out_.close();
  path_ = path;
  std::error_code error;
  const fs::path parent = fs::path(path).parent_path();
  if (!parent.empty()) fs::create_directories(parent, error);
  const bool exists = fs::exists(path, error);
  uint64_t size = exists ? fs::file_size(path, error) : 0;
  if (exists && size > keep_bytes) {
    fs::resize_file(path, keep_bytes, error);
    NABLA_CHECK(!error, "metrics log: cannot cut ", path, " back to ", keep_bytes,
                " bytes: ", error.message(), "; check the run directory is writable");
    size = keep_bytes;
  }
  out_.open(path, keep_bytes == 0 ? std::ios::out | std::ios::trunc : std::ios::out | std::ios::app);
  NABLA_CHECK(out_.is_open(), "metrics log: cannot open ", path,
              " for writing; check the run directory exists and is writable");
  bytes_ = keep_bytes == 0 ? 0 : size;
  if (bytes_ == 0 && !header.empty()) write(header);
}

void LogFile::write(const std::string& text) {
  if (!out_.is_open()) return;
  out_ << text;
  out_.flush();
  NABLA_CHECK(out_.good(), "metrics log: writing ", path_, " failed (disk full?)");
  bytes_ += text.size();
}

namespace {

// metrics.csv's fixed columns; an epoch row's learning_rate goes under "lr".
const std::vector<std::string> kCsvColumns = {
    "type",       "epoch",   "step",    "loss",   "lr",      "train_loss",
    "train_accuracy", "val_loss", "val_accuracy", "seconds", "samples_per_second",
    "loss_scale", "skipped_steps"};
constexpr const char* kRatioColumn = "update_ratio.";

// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string csv_value(const Json& value) {
  if (value.is_null()) return "";
  return csv_field(value.is_string() ? value.get<std::string>() : value.dump());
}

}  // namespace

void MetricsLog::open(const std::string& run_dir, uint64_t jsonl_bytes, uint64_t csv_bytes,
                      const std::vector<std::string>& parameters, bool tensorboard,
                      int64_t resumed_at_step) {
  csv_columns_ = kCsvColumns;
  for (const std::string& name : parameters) csv_columns_.push_back(kRatioColumn + name);
  std::string header;
  for (const std::string& column : csv_columns_)
    header += (header.empty() ? "" : ",") + csv_field(column);
  jsonl_.open((fs::path(run_dir) / "metrics.jsonl").string(), jsonl_bytes);
  csv_.open((fs::path(run_dir) / "metrics.csv").string(), csv_bytes, header + "\n");
  tensorboard_.reset();
  if (tensorboard) {
    tensorboard_ = std::make_unique<EventWriter>();
    tensorboard_->open((fs::path(run_dir) / "tensorboard").string(), resumed_at_step);
  }
}

std::string MetricsLog::csv_row(const Json& line) const {
  std::map<std::string, std::string> fields;
  for (const auto& [key, value] : line.items()) {
    if (key == "update_ratio") {
      for (const auto& [name, ratio] : value.items()) fields[kRatioColumn + name] = csv_value(ratio);
    } else {
      fields[key == "learning_rate" ? "lr" : key] = csv_value(value);
    }
  }
  std::string row;
  for (size_t i = 0; i < csv_columns_.size(); ++i) {
    const auto found = fields.find(csv_columns_[i]);
    row += (i ? "," : "") + (found == fields.end() ? std::string() : found->second);
  }
  return row + "\n";
}

void MetricsLog::write(const Json& line) {
  if (!jsonl_.is_open()) return;
  jsonl_.write(line.dump() + "\n");
  csv_.write(csv_row(line));
}

void MetricsLog::step(int64_t epoch, int64_t step, double loss, double lr, double loss_scale) {
  Json line{{"type", "step"},
            {"epoch", epoch},
            {"step", step},
            {"loss", number_or_null(loss)},
            {"lr", number_or_null(lr)}};
  if (std::isfinite(loss_scale)) line["loss_scale"] = loss_scale;
  write(line);
  if (!tensorboard_) return;
  tensorboard_->scalar(step, "step/loss", loss);
  tensorboard_->scalar(step, "step/lr", lr);
  tensorboard_->flush();
}

void MetricsLog::epoch(const EpochRecord& record, int64_t step, const nn::NamedTensors& parameters) {
  Json line = {{"type", "epoch"}, {"epoch", record.epoch}, {"step", step}};
  const Json fields = epoch_to_json(record);
  for (const auto& [key, value] : fields.items()) line[key] = value;
  write(line);
  if (!tensorboard_) return;
  EventWriter& tb = *tensorboard_;
  tb.scalar(step, "epoch/train_loss", record.train_loss);
  tb.scalar(step, "epoch/train_accuracy", record.train_accuracy);
  tb.scalar(step, "epoch/val_loss", record.val_loss);
  tb.scalar(step, "epoch/val_accuracy", record.val_accuracy);
  tb.scalar(step, "epoch/lr", record.learning_rate);
  for (const auto& [name, ratio] : record.update_ratio) tb.scalar(step, "update_ratio/" + name, ratio);
  for (const auto& [name, tensor] : parameters) tb.histogram(step, "weights/" + name, tensor);
  tb.flush();
}

}  // namespace nabla::train::detail
