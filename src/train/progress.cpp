// Progress bar and epoch lines.
#include "progress.hpp"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

namespace nabla::train::detail {

namespace {

constexpr int kBarWidth = 20;
constexpr auto kRedrawEvery = std::chrono::milliseconds(100);  // ~10 refreshes a second

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

// 950, 1.2k, 3.4M: the rate fits in a few columns.
std::string short_rate(double rate) {
  if (!std::isfinite(rate)) return "-";
  if (rate >= 1e6) return format("%.1fM", rate / 1e6);
  if (rate >= 1e3) return format("%.1fk", rate / 1e3);
  return format("%.0f", rate);
}

std::string clock_time(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "-:--";
  const auto total = static_cast<int64_t>(seconds + 0.5);
  char text[32];
  if (total >= 3600)
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", static_cast<long long>(total / 3600),
                  static_cast<long long>(total / 60 % 60), static_cast<long long>(total % 60));
  else
    std::snprintf(text, sizeof text, "%lld:%02lld", static_cast<long long>(total / 60),
                  static_cast<long long>(total % 60));
  return text;
}

}  // namespace

bool is_terminal(const std::ostream* out) { return out == &std::cerr && isatty(2) == 1; }

Progress::Progress(std::ostream& out, bool enabled, bool terminal)
    : out_(out), enabled_(enabled), terminal_(terminal) {}

void Progress::epoch_begin(int64_t epoch, int64_t epochs, int64_t batches, int64_t skipped) {
  epoch_ = epoch, epochs_ = epochs, batches_ = batches, skipped_ = skipped, samples_ = 0;
  start_ = Clock::now();
  last_draw_ = start_ - kRedrawEvery;
}

void Progress::batch_end(int64_t batches_done, int64_t batch_size, double mean_loss) {
  samples_ += batch_size;
  if (!enabled_ || !terminal_) return;
  const Clock::time_point now = Clock::now();
  if (now - last_draw_ < kRedrawEvery && batches_done < batches_) return;
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const int64_t run = batches_done - skipped_;
  const double eta = run > 0 ? elapsed / run * (batches_ - batches_done) : NAN;
  out_ << '\r' << bar_line(epoch_, epochs_, batches_done, batches_, samples_ / elapsed, mean_loss, eta)
       << "\033[K" << std::flush;
  bar_shown_ = true;
}

void Progress::epoch_end(const EpochRecord& record, int64_t epochs) {
  if (!enabled_) return;
  clear_bar();
  out_ << epoch_line(record, epochs) << '\n' << std::flush;
}

void Progress::message(const std::string& line) {
  clear_bar();
  out_ << line << '\n' << std::flush;
  last_draw_ = Clock::now() - kRedrawEvery;  // redraw the bar at the next step
}

void Progress::finish() {
  clear_bar();
  out_ << std::flush;
}

void Progress::clear_bar() {
  if (!bar_shown_) return;
  out_ << "\r\033[K";
  bar_shown_ = false;
}

std::string Progress::epoch_line(const EpochRecord& record, int64_t epochs) {
  // A regression has no accuracy (NaN): its lines show the losses only.
  const auto accuracy = [](double fraction) {
    return std::isnan(fraction) ? std::string() : " acc " + format("%.2f%%", 100 * fraction);
  };
  std::string line = "epoch " + std::to_string(record.epoch) + "/" + std::to_string(epochs) +
                     "  train loss " + format("%.4f", record.train_loss) +
                     accuracy(record.train_accuracy);
  if (!std::isnan(record.val_loss))
    line += "  val loss " + format("%.4f", record.val_loss) + accuracy(record.val_accuracy);
  line += "  lr " + format("%g", record.learning_rate);
  if (!std::isnan(record.loss_scale))  // f16: the scale, and steps skipped on overflow
    line += "  loss scale " + format("%g", record.loss_scale) +
            (record.skipped_steps > 0 ? " (" + std::to_string(record.skipped_steps) + " skipped)"
                                      : "");
  line += "  " + format("%.1f", record.seconds) + " s  " +
          format("%.0f", record.samples_per_second) + " samples/s";
  return line;
}

std::string Progress::bar_line(int64_t epoch, int64_t epochs, int64_t done, int64_t total,
                               double samples_per_second, double loss, double eta_seconds) {
  const int64_t filled = total > 0 ? done * kBarWidth / total : 0;
  std::string bar(kBarWidth, ' ');
  for (int64_t i = 0; i < filled; ++i) bar[i] = '=';
  if (filled < kBarWidth && done > 0) bar[filled] = '>';
  return "epoch " + std::to_string(epoch) + "/" + std::to_string(epochs) + " [" + bar + "] " +
         std::to_string(done) + "/" + std::to_string(total) + " " +
         short_rate(samples_per_second) + " samples/s loss " + format("%.3f", loss) + " ETA " +
         clock_time(eta_seconds);
}

}  // namespace nabla::train::detail
