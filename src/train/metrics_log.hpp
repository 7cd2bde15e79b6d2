// metrics.jsonl: one JSON object per line, appended and flushed line by line so that the file's
// length at a checkpoint is on disk and a resume can cut the file back to it. Also the JSON forms
// of EpochRecord and History that the log and the checkpoint share. JSON has no NaN: NaN (and
// ±inf) are written as null and read back as NaN.
#pragma once

#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "nabla/train/trainer.hpp"

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

class MetricsLog {
 public:
  bool is_open() const { return out_.is_open(); }
  // Appends to `path` after cutting it to its first `keep_bytes` bytes (0 starts it afresh; a
  // file shorter than keep_bytes is kept whole).
  void open(const std::string& path, uint64_t keep_bytes);
  uint64_t bytes() const { return bytes_; }  // the file's length so far
  // loss_scale: the f16 GradScaler's scale after the step's update(); NaN (no scaler) omits it.
  void step(int64_t epoch, int64_t step, double loss, double lr, double loss_scale);
  void epoch(const EpochRecord& record);

 private:
  void write(const Json& line);
  std::string path_;
  std::ofstream out_;
  uint64_t bytes_ = 0;
};

}  // namespace nabla::train::detail
