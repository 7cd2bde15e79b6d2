// The trainer's output: a single updating progress line on a terminal, plain per-epoch lines
// otherwise, and message lines in between. Wall time only decides what is drawn and when, never
// anything the training computes.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

#include "nabla/train/trainer.hpp"

namespace nabla::train::detail {

// Whether `out` is the process's stderr and that is a terminal (the bar needs "\r").
bool is_terminal(const std::ostream* out);

class Progress {
 public:
  // enabled: draw the bar / print the epoch lines (messages print regardless).
  Progress(std::ostream& out, bool enabled, bool terminal);
  void epoch_begin(int64_t epoch, int64_t epochs, int64_t batches, int64_t skipped);
  // After each step: batches done in the epoch (skipped ones included), the step's batch size
  // and the epoch's running mean loss.
  void batch_end(int64_t batches_done, int64_t batch_size, double mean_loss);
  void epoch_end(const EpochRecord& record, int64_t epochs);
  void message(const std::string& line);
  void finish();  // clears a bar left by a run that stopped mid-epoch

  // The plain epoch line "epoch 3/10  train loss 0.4120 acc 85.31%  ...".
  static std::string epoch_line(const EpochRecord& record, int64_t epochs);
  // "epoch 3/10 [=====>    ] 412/938 1.2k samples/s loss 0.412 ETA 0:17".
  static std::string bar_line(int64_t epoch, int64_t epochs, int64_t done, int64_t total,
                              double samples_per_second, double loss, double eta_seconds);

 private:
  using Clock = std::chrono::steady_clock;
  void clear_bar();
  std::ostream& out_;
  bool enabled_, terminal_;
  bool bar_shown_ = false;
  int64_t epoch_ = 0, epochs_ = 0, batches_ = 0, skipped_ = 0, samples_ = 0;
  Clock::time_point start_, last_draw_;
};

}  // namespace nabla::train::detail
