// trials.jsonl: the search's memory. Each finished trial rung is one line written with a single
// write() and fsync'd before the next trial is counted, so a killed search loses at most the line
// it was writing, and a resumed one knows exactly which trainings are done.
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "nabla/tune/search.hpp"

namespace nabla::tune {

namespace {

using Json = nlohmann::ordered_json;

Json number_or_null(double value) { return std::isfinite(value) ? Json(value) : Json(nullptr); }

double number_from(const Json& json) {
  return json.is_number() ? json.get<double>() : std::nan("");
}

Status status_from(const std::string& name) {
  for (Status status : {Status::ok, Status::diverged, Status::failed})
    if (name == status_name(status)) return status;
  throw std::invalid_argument("unknown status \"" + name + "\"");
}

Json to_json(const TrialRecord& r) {
  Json params = Json::object();
  for (const auto& [name, text] : r.params) params[name] = text;
  Json json{{"id", r.id},
            {"round", r.round},
            {"rung", r.rung},
            {"epochs", r.epochs},
            {"params", std::move(params)},
            {"metric", number_or_null(r.metric)},
            {"val_accuracy", number_or_null(r.val_accuracy)},
            {"val_loss", number_or_null(r.val_loss)},
            {"status", status_name(r.status)},
            {"exit_code", r.exit_code},
            {"log", r.log},
            {"seconds", number_or_null(r.seconds)}};
  if (!r.fold_metrics.empty()) {
    Json folds = Json::array();
    for (double metric : r.fold_metrics) folds.push_back(number_or_null(metric));
    json["fold_metrics"] = std::move(folds);
    json["metric_std"] = number_or_null(r.metric_std);
  }
  return json;
}

TrialRecord from_json(const Json& json) {
  TrialRecord r;
  r.id = json.at("id").get<int64_t>();
  r.round = json.at("round").get<int64_t>();
  r.rung = json.at("rung").get<int64_t>();
  r.epochs = json.at("epochs").get<int64_t>();
  for (const auto& [name, text] : json.at("params").items())
    r.params.emplace_back(name, text.get<std::string>());
  r.metric = number_from(json.at("metric"));
  r.val_accuracy = number_from(json.at("val_accuracy"));
  r.val_loss = number_from(json.at("val_loss"));
  r.status = status_from(json.at("status").get<std::string>());
  r.exit_code = json.at("exit_code").get<int>();
  r.log = json.at("log").get<std::string>();
  r.seconds = number_from(json.at("seconds"));
  if (json.contains("fold_metrics")) {
    for (const Json& metric : json.at("fold_metrics")) r.fold_metrics.push_back(number_from(metric));
    r.metric_std = number_from(json.at("metric_std"));
  }
  return r;
}

}  // namespace

const char* status_name(Status status) {
  switch (status) {
    case Status::ok: return "ok";
    case Status::diverged: return "diverged";
    case Status::failed: return "failed";
  }
  return "?";
}

Ledger Ledger::open(const std::string& path, std::vector<std::string>* warnings) {
  Ledger ledger;
  ledger.path_ = path;
  std::ifstream in(path, std::ios::binary);
  if (!in) return ledger;
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t start = 0, good_bytes = 0, line_number = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const bool last = end == std::string::npos || end + 1 == text.size();
    const std::string line = text.substr(start, end == std::string::npos ? std::string::npos : end - start);
    ++line_number;
    try {
      // A line without its newline was cut mid-write, even when it happens to parse.
      if (end == std::string::npos) throw std::invalid_argument("no newline");
      if (!line.empty()) ledger.records_.push_back(from_json(Json::parse(line)));
      good_bytes = end + 1;
    } catch (const std::exception& error) {
      NABLA_CHECK(last, "tune ledger ", path, ": line ", line_number, " is damaged (", error.what(),
                  "); it is not the last line, so this is not an interrupted write. Remove the "
                  "line to rerun that trial, or start a new search with another --out");
      if (warnings != nullptr)
        warnings->push_back("tune ledger " + path + ": ignored the torn last line " +
                            std::to_string(line_number) + " (a write was interrupted); that "
                            "trial runs again");
      std::filesystem::resize_file(path, good_bytes);
      break;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return ledger;
}

const TrialRecord* Ledger::find(int64_t id, int64_t rung) const {
  for (const TrialRecord& r : records_)
    if (r.id == id && r.rung == rung) return &r;
  return nullptr;
}

void Ledger::append(const TrialRecord& record) {
  const std::string line = to_json(record).dump() + "\n";
  const int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  NABLA_CHECK(fd >= 0, "tune ledger: cannot open ", path_, " (", std::strerror(errno),
              "); check the tune directory is writable");
  const ssize_t written = ::write(fd, line.data(), line.size());
  const int write_error = errno;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  NABLA_CHECK(written == static_cast<ssize_t>(line.size()) && synced, "tune ledger: writing ",
              path_, " failed (", std::strerror(write_error), "); is the disk full?");
  records_.push_back(record);
}

}  // namespace nabla::tune
