// Trainer: setup, fit() and the epoch around the steps (trainer_step.cpp).
#include <cmath>
#include <filesystem>
#include <iostream>

#include "nabla/nn/functional/loss.hpp"
#include "trainer_state.hpp"

namespace nabla::train {

LossFn cross_entropy_loss(double label_smoothing) {
  NABLA_CHECK(label_smoothing >= 0.0 && label_smoothing <= 1.0,
              "cross_entropy_loss: label_smoothing must lie in [0, 1], got ", label_smoothing);
  return [label_smoothing](const Tensor& logits, const Tensor& targets) {
    return nn::functional::cross_entropy(logits, targets, {.label_smoothing = label_smoothing});
  };
}

Trainer::State::State(Trainer& owner, LossFn loss_fn) : self(owner), loss(std::move(loss_fn)) {}

std::ostream& Trainer::State::out() const {
  return self.options_.out ? *self.options_.out : std::cerr;
}

detail::Progress& Trainer::State::output() {
  if (!progress)
    progress = std::make_unique<detail::Progress>(out(), self.options_.progress,
                                                  detail::is_terminal(&out()));
  return *progress;
}

std::string Trainer::State::path_in_run(const std::string& name) const {
  if (self.options_.run_dir.empty()) return "";
  return (std::filesystem::path(self.options_.run_dir) / name).string();
}

void Trainer::State::open_log(uint64_t jsonl_bytes, uint64_t csv_bytes, int64_t resumed_at_step) {
  std::vector<std::string> names;
  for (const auto& [name, param] : self.model_->named_parameters()) names.push_back(name);
  log.open(self.options_.run_dir, jsonl_bytes, csv_bytes, names, self.options_.tensorboard,
           resumed_at_step);
}

void Trainer::State::bank_seconds() {
  if (!timing) return;  // outside an epoch (a save_checkpoint() between fits)
  const auto now = std::chrono::steady_clock::now();
  sums.seconds += std::chrono::duration<double>(now - segment_start).count();
  segment_start = now;
}

double Trainer::State::group0_lr() const {
  const auto& groups = self.optimizer_->param_groups();
  return groups.empty() ? NAN : groups[0].lr();
}

Trainer::Trainer(std::shared_ptr<nn::Module> model, std::unique_ptr<optim::Optimizer> optimizer,
                 LossFn loss, TrainerOptions options)
    : model_(std::move(model)), optimizer_(std::move(optimizer)), options_(std::move(options)) {
  NABLA_CHECK(model_ != nullptr, "Trainer: the model is null; pass models::create(...) or a "
                                 "std::make_shared module");
  NABLA_CHECK(optimizer_ != nullptr, "Trainer: the optimizer is null; pass "
                                     "std::make_unique<optim::SGD>(model->parameters(), ...)");
  NABLA_CHECK(static_cast<bool>(loss), "Trainer: the loss function is empty; pass "
                                       "train::cross_entropy_loss()");
  NABLA_CHECK(options_.epochs >= 0, "Trainer: epochs must be >= 0, got ", options_.epochs);
  NABLA_CHECK(options_.eval_batch_size >= 1, "Trainer: eval_batch_size must be >= 1, got ",
              options_.eval_batch_size);
  NABLA_CHECK(options_.checkpoint_every_steps >= 0,
              "Trainer: checkpoint_every_steps must be >= 0 (0: at epoch ends only), got ",
              options_.checkpoint_every_steps);
  state_ = std::make_unique<State>(*this, std::move(loss));
  state_->sums.last_lr = state_->group0_lr();
  state_->ratio_check.set_reference_lr(options_.reference_lr > 0 ? options_.reference_lr
                                                                 : state_->group0_lr());
  // bf16 keeps float32's exponent range, so only f16 needs loss scaling (as torch).
  if (options_.precision == Precision::f16)
    state_->scaler = std::make_unique<optim::GradScaler>(options_.grad_scaler);
}

Trainer::~Trainer() = default;

void Trainer::set_scheduler(std::unique_ptr<optim::LRScheduler> scheduler) {
  NABLA_CHECK(!scheduler || &scheduler->optimizer() == optimizer_.get(),
              "Trainer::set_scheduler: the scheduler is bound to another optimizer; make it "
              "with trainer.optimizer()");
  state_->scheduler = std::move(scheduler);
}

void Trainer::set_plateau_scheduler(std::unique_ptr<optim::ReduceLROnPlateau> scheduler) {
  state_->plateau = std::move(scheduler);
}

void Trainer::add_regularizer(Regularizer regularizer) {
  NABLA_CHECK(static_cast<bool>(regularizer), "Trainer::add_regularizer: the function is empty");
  state_->regularizers.push_back(std::move(regularizer));
}

void Trainer::add_callback(std::shared_ptr<Callback> callback) {
  NABLA_CHECK(callback != nullptr, "Trainer::add_callback: the callback is null");
  for (const auto& other : state_->callbacks)
    NABLA_CHECK(other->name() != callback->name(), "Trainer::add_callback: a callback named \"",
                callback->name(), "\" is already added; checkpoints key callbacks by name, so "
                "give each a distinct name()");
  state_->callbacks.push_back(std::move(callback));
}

void Trainer::set_checkpoint_extra(nn::NamedTensors extra) {
  for (const auto& [name, tensor] : extra)
    NABLA_CHECK(name.rfind("callback.", 0) != 0, "Trainer::set_checkpoint_extra: \"", name,
                "\" starts with \"callback.\", which checkpoints keep for callbacks; rename it");
  state_->extra = std::move(extra);
}

const nn::NamedTensors& Trainer::checkpoint_extra() const { return state_->extra; }
const History& Trainer::history() const { return state_->history; }
int64_t Trainer::global_step() const { return state_->global_step; }
optim::GradScaler* Trainer::grad_scaler() { return state_->scaler.get(); }
const MonitorSnapshot& Trainer::last_monitor() const { return state_->monitor; }

void Trainer::stop_training(std::string reason) {
  state_->callback_stop = reason.empty() ? "stopped by a callback" : std::move(reason);
}

void Trainer::set_best_epoch(int64_t epoch) { state_->history.best_epoch = epoch; }

void Trainer::message(const std::string& line) { state_->output().message(line); }

void Trainer::State::begin_fit() {
  parameters = self.model_->named_parameters();
  if (!log.is_open() && !self.options_.run_dir.empty()) open_log(0, 0, 0);
  if (pending_generator) set_generator_state(*pending_generator);
  pending_generator.reset();
  callback_stop.clear();
  if (history.stop_kind == StopKind::interrupted) {
    history.stop_kind = StopKind::none;
    history.stop_reason.clear();
  }
}

History Trainer::fit(data::DataLoader& train, const data::Dataset* validation) {
  State& s = *state_;
  s.begin_fit();
  const bool finished = s.history.stop_kind != StopKind::none || s.next_epoch >= options_.epochs;
  if (finished) {
    if (s.resumed) {  // the callbacks finish as the original run's did (restore the best)
      message("nothing to resume: the run had " +
              (s.history.stop_reason.empty() ? "finished its " + std::to_string(options_.epochs) +
                                                   " epochs"
                                             : "stopped (" + s.history.stop_reason + ")"));
      for (const auto& callback : s.callbacks) callback->on_train_end(*this, s.history);
      s.resumed = false;
    }
    return s.history;
  }
  for (const auto& callback : s.callbacks) callback->on_train_begin(*this);
  while (s.next_epoch < options_.epochs && s.run_epoch(train, validation)) {
  }
  stop_requested_.store(false);
  s.callback_stop.clear();
  s.resumed = false;
  s.timing = false;
  s.output().finish();
  for (const auto& callback : s.callbacks) callback->on_train_end(*this, s.history);
  return s.history;
}

// Whether the loop must return after this step; saves the interrupt's checkpoint.
bool Trainer::State::should_stop_after_step() {
  if (self.stop_requested_.load()) {
    history.stop_kind = StopKind::interrupted;
    history.stop_reason = "interrupted";
    if (!path_in_run("checkpoint").empty()) save("");
    self.message("interrupted at epoch " + std::to_string(next_epoch + 1) + ", step " +
                 std::to_string(global_step) +
                 (path_in_run("checkpoint").empty()
                      ? "; no run_dir, so no checkpoint"
                      : "; checkpoint saved to " + path_in_run("checkpoint/last.safetensors")));
    return true;
  }
  if (!callback_stop.empty()) {  // recorded before the checkpoint, so a resume sees the stop
    history.stop_kind = StopKind::callback;
    history.stop_reason = callback_stop;
    if (!path_in_run("checkpoint").empty()) save("");
    return true;
  }
  return false;
}

bool Trainer::State::run_epoch(data::DataLoader& train, const data::Dataset* validation) {
  const int64_t epoch = next_epoch;
  if (batches_done == 0) sums = EpochSums{.last_lr = group0_lr()};
  train.start_epoch(epoch, batches_done);
  const int64_t batches = train.batches_per_epoch();
  for (const auto& callback : callbacks) callback->on_epoch_begin(self, epoch + 1);
  output().epoch_begin(epoch + 1, self.options_.epochs, batches, batches_done);
  self.model_->train();
  segment_start = std::chrono::steady_clock::now();
  timing = true;
  // Double buffering on a device: batch k + 1 is staged (its copy issued) before step k is
  // queued, so the copy overlaps step k's kernels. The input transform then runs one batch
  // ahead, which changes nothing as long as it draws no random numbers (the loader's own
  // transforms never do), and a stop after step k resumes at batches_done as before. On the
  // CPU there is no copy to hide, so each batch is staged just in time, as ever.
  const bool ahead = self.model_->device().kind != Device::CPU;
  std::unique_ptr<detail::StagedBatch> current = stage_next(train), next;
  while (current) {
    current->ready();
    if (ahead) next = stage_next(train);
    if (!train_step(*current, batches)) return false;
    if (self.stop_requested_.load() || !callback_stop.empty()) {
      should_stop_after_step();  // its checkpoint banks the epoch's seconds so far
      timing = false;
      return false;
    }
    current = ahead ? std::move(next) : stage_next(train);
  }
  bank_seconds();
  timing = false;
  finish_epoch(validation);
  if (should_stop_after_step()) return false;  // it saved the checkpoint, stop recorded
  if (!path_in_run("checkpoint").empty()) save("");
  return true;
}

std::unique_ptr<detail::StagedBatch> Trainer::State::stage_next(data::DataLoader& train) {
  std::optional<data::Batch> batch = train.next();
  if (!batch) return nullptr;
  return std::make_unique<detail::StagedBatch>(std::move(*batch), self.options_.input_transform,
                                               self.model_->device());
}

void Trainer::State::finish_epoch(const data::Dataset* validation) {
  EpochRecord record;
  record.epoch = next_epoch + 1;
  record.train_loss = sums.samples ? sums.loss / sums.samples : NAN;
  record.train_accuracy = sums.decisions ? static_cast<double>(sums.correct) / sums.decisions : NAN;
  if (validation != nullptr) {
    const Evaluation evaluation = self.evaluate(*validation);
    record.val_loss = evaluation.loss;
    record.val_accuracy = evaluation.accuracy;
  }
  record.learning_rate = sums.last_lr;
  record.seconds = sums.seconds;
  record.samples_per_second = sums.seconds > 0 ? sums.samples / sums.seconds : 0.0;
  if (monitor.epoch == record.epoch)
    for (const auto& [name, ratio] : monitor.update_ratio) record.update_ratio[name] = ratio;
  record.loss_scale = loss_scale();
  if (scaling()) record.skipped_steps = sums.skipped;
  history.epochs.push_back(record);
  step_epoch_schedulers(record);
  output().epoch_end(record, self.options_.epochs);
  if (!ratio_warning.empty()) self.message(ratio_warning);
  ratio_warning.clear();
  log.epoch(record, global_step, parameters);
  ++next_epoch;
  batches_done = 0;
  sums = EpochSums{.last_lr = group0_lr()};
  for (const auto& callback : callbacks) callback->on_epoch_end(self, record);
}

void Trainer::State::step_epoch_schedulers(const EpochRecord& record) {
  if (scheduler && !self.options_.schedule_per_step) scheduler->step();
  if (plateau) {
    const double before = group0_lr();
    const bool validated = !std::isnan(record.val_loss);
    plateau->step(validated ? record.val_loss : record.train_loss);
    if (group0_lr() < before) {
      char text[160];
      std::snprintf(text, sizeof text, "ReduceLROnPlateau: %s loss stopped improving; learning "
                    "rate lowered from %g to %g", validated ? "validation" : "training", before,
                    group0_lr());
      self.message(text);
    }
  }
}

}  // namespace nabla::train
