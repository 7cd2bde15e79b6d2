// Trainer::State: everything fit() keeps between steps, and the loop's pieces. Split over
// trainer.cpp (setup, fit, epochs), trainer_step.cpp (one step, NaN guard, monitor),
// trainer_eval.cpp (evaluate, predict) and trainer_checkpoint.cpp (save, resume).
//
// Position: next_epoch is the 0-based epoch to run (or being run), batches_done the batches of
// it already trained, global_step the optimizer steps ever taken. The running sums of the
// current epoch are saved with them, so a resumed epoch reports what an uninterrupted one would.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "metrics_log.hpp"
#include "nabla/random.hpp"
#include "nabla/train/trainer.hpp"
#include "progress.hpp"
#include "staged_batch.hpp"

namespace nabla::train {

// Autocast at the trainer's precision for a scope. f32 installs no guard, so a caller's own
// autocast region still applies, as in a torch loop written without autocast.
class PrecisionScope {
 public:
  explicit PrecisionScope(Precision precision) {
    if (precision != Precision::f32) guard_.emplace(precision);
  }

 private:
  std::optional<AutocastGuard> guard_;
};

struct Trainer::State {
  explicit State(Trainer& owner, LossFn loss_fn);

  Trainer& self;
  LossFn loss;
  std::unique_ptr<optim::LRScheduler> scheduler;
  std::unique_ptr<optim::ReduceLROnPlateau> plateau;
  std::unique_ptr<optim::GradScaler> scaler;  // precision f16 only
  std::vector<Regularizer> regularizers;
  std::vector<std::shared_ptr<Callback>> callbacks;
  nn::NamedTensors extra;
  History history;
  MonitorSnapshot monitor;
  UpdateRatioCheck ratio_check;  // judges the monitored steps' update ratios
  std::string ratio_warning;     // its latest warning, printed after the epoch line

  int64_t next_epoch = 0, batches_done = 0, global_step = 0;
  struct EpochSums {
    double loss = 0.0;  // Σ batch mean loss × batch size
    int64_t correct = 0, samples = 0;
    int64_t decisions = 0;  // what `correct` is out of: rows, or rows x labels (multi-label)
    double seconds = 0.0;
    double last_lr = 0.0;  // group 0's lr at the epoch's latest step
    int64_t skipped = 0;   // steps the GradScaler skipped
  } sums;

  std::string callback_stop;                     // stop_training's reason, until fit() returns
  std::optional<GeneratorState> pending_generator;  // from resume(), applied when fit() starts
  bool resumed = false;
  detail::MetricsLog log;
  std::unique_ptr<detail::Progress> progress;
  nn::NamedTensors parameters;      // the model's, by dotted name, taken when fit() starts
  nn::NamedTensors weights_before;  // the monitored step's parameters before optimizer.step()
  std::chrono::steady_clock::time_point segment_start;  // since when sums.seconds runs
  bool timing = false;                                  // inside an epoch's steps

  std::ostream& out() const;
  detail::Progress& output();  // progress, made on first use
  std::string path_in_run(const std::string& name) const;  // "" without a run_dir
  // metrics.jsonl / metrics.csv cut back to the given lengths, TensorBoard events if asked for.
  void open_log(uint64_t jsonl_bytes, uint64_t csv_bytes, int64_t resumed_at_step);
  double group0_lr() const;
  bool scaling() const { return scaler && scaler->is_enabled(); }
  double loss_scale() const { return scaling() ? scaler->get_scale() : NAN; }  // NaN: none
  void bank_seconds();  // adds the time since segment_start to sums.seconds

  // trainer.cpp
  void begin_fit();
  bool run_epoch(data::DataLoader& train, const data::Dataset* validation);
  std::unique_ptr<detail::StagedBatch> stage_next(data::DataLoader& train);  // null at the end
  void finish_epoch(const data::Dataset* validation);
  void step_epoch_schedulers(const EpochRecord& record);
  bool should_stop_after_step();

  // trainer_step.cpp
  bool train_step(const detail::StagedBatch& batch, int64_t batches);
  void optimizer_step();  // with f16: skipped (and counted) on an inf / NaN gradient
  bool check_after_backward(const Tensor& inputs, double loss);
  bool check_parameters_after_step();
  void stop_non_finite(const std::string& reason);
  std::string first_non_finite_layer(const Tensor& inputs);
  std::string largest_parameter() const;
  // Weights before the step (and, at an epoch's end, gradient histograms); after it the update
  // ratios: judged by ratio_check, and kept in `monitor` unless it is the run's first step.
  void monitor_before_step(bool histograms);
  void monitor_after_step(double lr, bool first_step);
  void after_step_outputs(int64_t batch_size, double loss, double lr, int64_t batches);

  // trainer_checkpoint.cpp
  void save(const std::string& path);
  detail::Json to_json() const;
  void from_json(const detail::Json& json);
  void load_schedulers(const optim::SchedulerState& saved, const std::string& source);
  void load_grad_scaler(const detail::Json& json, const std::string& source);
  void load_callbacks(const detail::Json& states, const nn::NamedTensors& checkpoint_extra);
};

}  // namespace nabla::train
