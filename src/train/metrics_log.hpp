// metrics.jsonl (and metrics.csv): one row per line, appended and flushed line by line so that the
// file's length at a checkpoint is on disk and a resume can cut the file back to it. Also the JSON forms
// of EpochRecord and History that the log and the checkpoint share. JSON has no NaN: NaN (and
// ±inf) are written as null and read back as NaN.
#pragma once

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <memory>
#include <string>
#include <vector>

#include "nabla/train/trainer.hpp"
#include "tensorboard.hpp"

namespace nabla::train::detail {

using Json = nlohmann::ordered_json;  // keys in the order written: "type" first

Json number_or_null(double value);
double number_from(const Json& value);  // null → NaN

// Every field, no "type"; loss_scale and skipped_steps only when the run scales its loss.
Json epoch_to_json(const EpochRecord& record);
EpochRecord epoch_from_json(const Json& json);
Json history_to_json(const History& history);
History history_from_json(const Json& json);
const char* stop_kind_name(StopKind kind);
StopKind stop_kind_from(const std::string& name);

// One append-only text file whose length is known at every checkpoint.
class LogFile {
 public:
  bool is_open() const { return out_.is_open(); }
  // Appends to `path` after cutting it to its first `keep_bytes` bytes (0 starts it afresh; a
  // file shorter than keep_bytes is kept whole). `header` starts a file that is empty after that.
  void open(const std::string& path, uint64_t keep_bytes, const std::string& header = "");
  uint64_t bytes() const { return bytes_; }  // the file's length so far
  void write(const std::string& text);

 private:
  std::string path_;
  std::ofstream out_;
  uint64_t bytes_ = 0;
};

// Where the trainer's log lines go: metrics.jsonl, metrics.csv (the same rows, one column per
// field; the header names the update-ratio columns "update_ratio.<parameter>"), and with
// options.tensorboard the TensorBoard events (scalars per step line and per epoch, weight
// histograms per epoch; tensorboard.hpp).
class MetricsLog {
 public:
  bool is_open() const { return jsonl_.is_open(); }
  // Opens the logs in `run_dir`, each cut back to the length a checkpoint recorded (0 for a
  // fresh run; a checkpoint from before metrics.csv keeps that file whole). `parameters` name
  // the CSV's update-ratio columns. resumed_at_step > 0: a resume at that global step.
  void open(const std::string& run_dir, uint64_t jsonl_bytes, uint64_t csv_bytes,
            const std::vector<std::string>& parameters, bool tensorboard, int64_t resumed_at_step);
  uint64_t bytes() const { return jsonl_.bytes(); }  // metrics.jsonl's length so far
  uint64_t csv_bytes() const { return csv_.bytes(); }
  // loss_scale: the f16 GradScaler's scale after the step's update(); NaN (no scaler) omits it.
  void step(int64_t epoch, int64_t step, double loss, double lr, double loss_scale);
  // `step`: the global step at the epoch's end; `parameters`: their weight histograms.
  void epoch(const EpochRecord& record, int64_t step, const nn::NamedTensors& parameters);

 private:
  void write(const Json& line);
  std::string csv_row(const Json& line) const;
  LogFile jsonl_, csv_;
  std::vector<std::string> csv_columns_;
  std::unique_ptr<EventWriter> tensorboard_;
};

}  // namespace nabla::train::detail
