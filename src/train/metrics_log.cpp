// metrics.jsonl writer and the JSON forms of the training history.
#include "metrics_log.hpp"

#include <cmath>
#include <filesystem>
#include <limits>

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
  return Json{{"epochs", std::move(epochs)},
              {"step_loss", std::move(steps)},
              {"stop_reason", history.stop_reason},
              {"stop_kind", stop_kind_name(history.stop_kind)},
              {"best_epoch", history.best_epoch}};
}

History history_from_json(const Json& json) {
  History history;
  for (const Json& record : json.at("epochs")) history.epochs.push_back(epoch_from_json(record));
  for (const Json& step : json.at("step_loss"))
    history.step_loss.emplace_back(step.at(0).get<double>(), number_from(step.at(1)));
  history.stop_reason = json.at("stop_reason").get<std::string>();
  history.stop_kind = stop_kind_from(json.at("stop_kind").get<std::string>());
  history.best_epoch = json.at("best_epoch").get<int64_t>();
  return history;
}

void MetricsLog::open(const std::string& path, uint64_t keep_bytes) {
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
}

void MetricsLog::write(const Json& line) {
  if (!out_.is_open()) return;
  const std::string text = line.dump() + "\n";
  out_ << text;
  out_.flush();
  NABLA_CHECK(out_.good(), "metrics log: writing ", path_, " failed (disk full?)");
  bytes_ += text.size();
}

void MetricsLog::step(int64_t epoch, int64_t step, double loss, double lr, double loss_scale) {
  Json line{{"type", "step"},
            {"epoch", epoch},
            {"step", step},
            {"loss", number_or_null(loss)},
            {"lr", number_or_null(lr)}};
  if (std::isfinite(loss_scale)) line["loss_scale"] = loss_scale;
  write(line);
}

void MetricsLog::epoch(const EpochRecord& record) {
  Json line = {{"type", "epoch"}};
  const Json fields = epoch_to_json(record);
  for (const auto& [key, value] : fields.items()) line[key] = value;
  write(line);
}

}  // namespace nabla::train::detail
