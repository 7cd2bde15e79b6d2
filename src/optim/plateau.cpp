// Schedules that react to something other than the step count: SequentialLR (milestones) and
// ReduceLROnPlateau (a metric), as torch 1.13.
#include <algorithm>
#include <cmath>
#include <limits>

#include "nabla/optim/schedule.hpp"
#include "optim/schedule_util.hpp"

namespace nabla::optim {

// --- SequentialLR ---------------------------------------------------------------------------
SequentialLR::SequentialLR(Optimizer& optimizer,
                           std::vector<std::shared_ptr<LRScheduler>> schedulers,
                           std::vector<int64_t> milestones)
    : LRScheduler(optimizer), schedulers_(std::move(schedulers)),
      milestones_(std::move(milestones)) {
  NABLA_CHECK(!schedulers_.empty() && milestones_.size() + 1 == schedulers_.size(),
              "SequentialLR: expects one milestone fewer than schedulers, got ",
              schedulers_.size(), " schedulers and ", milestones_.size(), " milestones");
  for (const auto& s : schedulers_)
    NABLA_CHECK(&s->optimizer() == &optimizer, "SequentialLR: every scheduler must belong to "
                "the optimizer passed in");
  // As torch: restart from the initial lrs, rewind every child one step, replay the first.
  last_epoch_ = 0;
  for (ParamGroup& group : optimizer_.param_groups())
    group.options["lr"] = group.options.at("initial_lr");
  for (const auto& s : schedulers_) s->last_epoch_ -= 1;
  schedulers_[0]->initial_step();
  last_lr_ = schedulers_[0]->get_last_lr();
}

void SequentialLR::step() {
  ++last_epoch_;
  const size_t idx = static_cast<size_t>(
      std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) - milestones_.begin());
  LRScheduler& scheduler = *schedulers_[idx];
  if (idx > 0 && milestones_[idx - 1] == last_epoch_)
    scheduler.step_at(0);
  else
    scheduler.step();
  last_lr_ = scheduler.get_last_lr();
}

SchedulerState SequentialLR::state_dict() const {
  SchedulerState out = LRScheduler::state_dict();
  for (size_t i = 0; i < schedulers_.size(); ++i)
    for (const auto& [key, value] : schedulers_[i]->state_dict())
      out["_schedulers." + std::to_string(i) + "." + key] = value;
  return out;
}

void SequentialLR::load_state_dict(const SchedulerState& state) {
  LRScheduler::load_state_dict(state);
  for (size_t i = 0; i < schedulers_.size(); ++i) {
    const std::string prefix = "_schedulers." + std::to_string(i) + ".";
    SchedulerState child;
    for (const auto& [key, value] : state)
      if (key.rfind(prefix, 0) == 0) child[key.substr(prefix.size())] = value;
    schedulers_[i]->load_state_dict(child);
  }
}

// --- ReduceLROnPlateau ----------------------------------------------------------------------
ReduceLROnPlateau::ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options)
    : optimizer_(optimizer), options_(std::move(options)) {
  NABLA_CHECK(options_.factor < 1.0, "ReduceLROnPlateau: factor should be < 1.0, got ",
              options_.factor);
  NABLA_CHECK(options_.mode == "min" || options_.mode == "max",
              "ReduceLROnPlateau: mode must be 'min' or 'max', got '", options_.mode, "'");
  NABLA_CHECK(options_.threshold_mode == "rel" || options_.threshold_mode == "abs",
              "ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got '",
              options_.threshold_mode, "'");
  min_lrs_ = per_group("ReduceLROnPlateau", "min_lr", options_.min_lr,
                       optimizer_.param_groups().size());
  best_ = options_.mode == "min" ? std::numeric_limits<double>::infinity()
                                 : -std::numeric_limits<double>::infinity();
  last_lr_ = lrs_of(optimizer_);
}

bool ReduceLROnPlateau::is_better(double a, double best) const {
  const bool rel = options_.threshold_mode == "rel";
  if (options_.mode == "min") return rel ? a < best * (1.0 - options_.threshold)
                                         : a < best - options_.threshold;
  return rel ? a > best * (options_.threshold + 1.0) : a > best + options_.threshold;
}

void ReduceLROnPlateau::step(double metric) {
  ++last_epoch_;
  if (is_better(metric, best_)) {
    best_ = metric;
    num_bad_epochs_ = 0;
  } else {
    ++num_bad_epochs_;
  }
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    num_bad_epochs_ = 0;  // bad epochs in cooldown do not count
  }
  if (num_bad_epochs_ > options_.patience) {
    auto& groups = optimizer_.param_groups();
    for (size_t i = 0; i < groups.size(); ++i) {
      const double old_lr = groups[i].lr();
      const double new_lr = std::max(old_lr * options_.factor, min_lrs_[i]);
      if (old_lr - new_lr > options_.eps) groups[i].options["lr"] = new_lr;
    }
    cooldown_counter_ = options_.cooldown;
    num_bad_epochs_ = 0;
  }
  last_lr_ = lrs_of(optimizer_);
}

SchedulerState ReduceLROnPlateau::state_dict() const {
  return {{"best", best_}, {"num_bad_epochs", static_cast<double>(num_bad_epochs_)},
          {"cooldown_counter", static_cast<double>(cooldown_counter_)},
          {"last_epoch", static_cast<double>(last_epoch_)}};
}

void ReduceLROnPlateau::load_state_dict(const SchedulerState& state) {
  for (const char* key : {"best", "num_bad_epochs", "cooldown_counter", "last_epoch"})
    NABLA_CHECK(state.count(key), "ReduceLROnPlateau.load_state_dict: missing '", key, "'");
  best_ = state.at("best");
  num_bad_epochs_ = static_cast<int64_t>(state.at("num_bad_epochs"));
  cooldown_counter_ = static_cast<int64_t>(state.at("cooldown_counter"));
  last_epoch_ = static_cast<int64_t>(state.at("last_epoch"));
}

}  // namespace nabla::optim
