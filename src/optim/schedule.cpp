// The LRScheduler base and the chainable schedules, ported from torch 1.13's lr_scheduler.py:
// get_lr() is torch's recursive form (it reads the groups' current lrs), closed_form_lr() its
// _get_closed_form_lr.
#include "nabla/optim/schedule.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "optim/schedule_util.hpp"

namespace nabla::optim {

LRScheduler::LRScheduler(Optimizer& optimizer) : optimizer_(optimizer) {
  optimizer_.allow_option("initial_lr");  // groups added later may carry it, as in torch
  for (ParamGroup& group : optimizer_.param_groups()) {
    group.options.emplace("initial_lr", group.lr());  // torch's setdefault
    base_lrs_.push_back(group.options.at("initial_lr"));
  }
}

void LRScheduler::initial_step() {
  step_count_ = 0;
  step();
}

std::vector<double> LRScheduler::group_lrs() const { return lrs_of(optimizer_); }

void LRScheduler::apply(const std::vector<double>& lrs) {
  auto& groups = optimizer_.param_groups();
  NABLA_CHECK(lrs.size() == groups.size(), "LRScheduler: ", lrs.size(), " lrs for ",
              groups.size(), " parameter groups (was a group added after the scheduler?)");
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options["lr"] = lrs[i];
  last_lr_ = group_lrs();
}

void LRScheduler::step() {
  ++step_count_;
  ++last_epoch_;
  apply(get_lr());
}

void LRScheduler::step_at(int64_t epoch) {
  ++step_count_;
  last_epoch_ = epoch;
  const auto closed = closed_form_lr();
  apply(closed ? *closed : get_lr());
}

SchedulerState LRScheduler::state_dict() const {
  SchedulerState out{{"last_epoch", static_cast<double>(last_epoch_)},
                     {"_step_count", static_cast<double>(step_count_)}};
  for (size_t i = 0; i < base_lrs_.size(); ++i) {
    out["base_lrs." + std::to_string(i)] = base_lrs_[i];
    out["_last_lr." + std::to_string(i)] = last_lr_.at(i);
  }
  return out;
}

void LRScheduler::load_state_dict(const SchedulerState& state) {
  auto get = [&](const std::string& key) {
    auto it = state.find(key);
    NABLA_CHECK(it != state.end(), "LRScheduler.load_state_dict: missing '", key,
                "'; pass a dict saved by state_dict() of the same schedule");
    return it->second;
  };
  NABLA_CHECK(!state.count("base_lrs." + std::to_string(base_lrs_.size())), "LRScheduler.load_",
              "state_dict: the saved schedule has more groups than this one (", base_lrs_.size(),
              ")");
  // Read every value before assigning any, so a bad dict leaves the schedule as it was.
  const auto last_epoch = static_cast<int64_t>(get("last_epoch"));
  const auto step_count = static_cast<int64_t>(get("_step_count"));
  std::vector<double> base_lrs, last_lr;
  for (size_t i = 0; i < base_lrs_.size(); ++i) {
    base_lrs.push_back(get("base_lrs." + std::to_string(i)));
    last_lr.push_back(get("_last_lr." + std::to_string(i)));
  }
  last_epoch_ = last_epoch;
  step_count_ = step_count;
  base_lrs_ = std::move(base_lrs);
  last_lr_ = std::move(last_lr);
}

namespace {

std::vector<double> scaled(std::vector<double> lrs, double factor) {
  for (double& lr : lrs) lr *= factor;
  return lrs;
}

}  // namespace

// --- ConstantLR -----------------------------------------------------------------------------
ConstantLR::ConstantLR(Optimizer& optimizer, double factor, int64_t total_iters)
    : LRScheduler(optimizer), factor_(factor), total_iters_(total_iters) {
  NABLA_CHECK(factor >= 0.0 && factor <= 1.0, "ConstantLR: factor must lie in [0, 1], got ",
              factor);
  initial_step();
}
std::vector<double> ConstantLR::get_lr() {
  if (last_epoch_ == 0) return scaled(group_lrs(), factor_);
  if (last_epoch_ != total_iters_) return group_lrs();
  return scaled(group_lrs(), 1.0 / factor_);
}
std::optional<std::vector<double>> ConstantLR::closed_form_lr() const {
  return scaled(base_lrs_, factor_ + (last_epoch_ >= total_iters_) * (1 - factor_));
}

// --- StepLR ---------------------------------------------------------------------------------
StepLR::StepLR(Optimizer& optimizer, int64_t step_size, double gamma)
    : LRScheduler(optimizer), step_size_(step_size), gamma_(gamma) {
  NABLA_CHECK(step_size > 0, "StepLR: step_size must be positive, got ", step_size);
  initial_step();
}
std::vector<double> StepLR::get_lr() {
  if (last_epoch_ == 0 || last_epoch_ % step_size_ != 0) return group_lrs();
  return scaled(group_lrs(), gamma_);
}
std::optional<std::vector<double>> StepLR::closed_form_lr() const {
  return scaled(base_lrs_, std::pow(gamma_, static_cast<double>(last_epoch_ / step_size_)));
}

// --- MultiStepLR ----------------------------------------------------------------------------
MultiStepLR::MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma)
    : LRScheduler(optimizer), milestones_(std::move(milestones)), gamma_(gamma) {
  std::sort(milestones_.begin(), milestones_.end());
  initial_step();
}
std::vector<double> MultiStepLR::get_lr() {
  const auto hits = std::count(milestones_.begin(), milestones_.end(), last_epoch_);
  if (hits == 0) return group_lrs();
  return scaled(group_lrs(), std::pow(gamma_, static_cast<double>(hits)));
}
std::optional<std::vector<double>> MultiStepLR::closed_form_lr() const {
  const auto passed = std::upper_bound(milestones_.begin(), milestones_.end(), last_epoch_) -
                      milestones_.begin();
  return scaled(base_lrs_, std::pow(gamma_, static_cast<double>(passed)));
}

// --- ExponentialLR --------------------------------------------------------------------------
ExponentialLR::ExponentialLR(Optimizer& optimizer, double gamma)
    : LRScheduler(optimizer), gamma_(gamma) {
  initial_step();
}
std::vector<double> ExponentialLR::get_lr() {
  return last_epoch_ == 0 ? group_lrs() : scaled(group_lrs(), gamma_);
}
std::optional<std::vector<double>> ExponentialLR::closed_form_lr() const {
  return scaled(base_lrs_, std::pow(gamma_, static_cast<double>(last_epoch_)));
}

// --- LinearLR -------------------------------------------------------------------------------
LinearLR::LinearLR(Optimizer& optimizer, double start_factor, double end_factor,
                   int64_t total_iters)
    : LRScheduler(optimizer), start_factor_(start_factor), end_factor_(end_factor),
      total_iters_(total_iters) {
  NABLA_CHECK(start_factor > 0.0 && start_factor <= 1.0 && end_factor >= 0.0 &&
                  end_factor <= 1.0,
              "LinearLR: start_factor must lie in (0, 1] and end_factor in [0, 1], got ",
              start_factor, " and ", end_factor);
  initial_step();
}
std::vector<double> LinearLR::get_lr() {
  if (last_epoch_ == 0) return scaled(group_lrs(), start_factor_);
  if (last_epoch_ > total_iters_) return group_lrs();
  const double delta = end_factor_ - start_factor_;
  return scaled(group_lrs(),
                1.0 + delta / (static_cast<double>(total_iters_) * start_factor_ +
                               static_cast<double>(last_epoch_ - 1) * delta));
}
std::optional<std::vector<double>> LinearLR::closed_form_lr() const {
  const double done = static_cast<double>(std::min(total_iters_, last_epoch_));
  return scaled(base_lrs_, start_factor_ + (end_factor_ - start_factor_) * done /
                                               static_cast<double>(total_iters_));
}

// --- LambdaLR and the notes' decays ---------------------------------------------------------
LambdaLR::LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda)
    : LRScheduler(optimizer), lr_lambda_(std::move(lr_lambda)) {
  initial_step();
}
std::vector<double> LambdaLR::get_lr() { return scaled(base_lrs_, lr_lambda_(last_epoch_)); }

std::function<double(int64_t)> constant_decay() {
  return [](int64_t) { return 1.0; };
}
std::function<double(int64_t)> exponential_decay(double k) {
  return [k](int64_t t) { return std::exp(-k * static_cast<double>(t)); };
}
std::function<double(int64_t)> inverse_time_decay(double k) {
  return [k](int64_t t) { return 1.0 / (1.0 + k * static_cast<double>(t)); };
}
std::function<double(int64_t)> inverse_sqrt_decay(int64_t warmup) {
  NABLA_CHECK(warmup >= 1, "inverse_sqrt_decay: warmup must be >= 1, got ", warmup);
  return [warmup](int64_t t) {
    return std::sqrt(static_cast<double>(warmup)) /
           std::sqrt(static_cast<double>(std::max(t, warmup)));
  };
}

// --- CosineAnnealingLR ----------------------------------------------------------------------
CosineAnnealingLR::CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min)
    : LRScheduler(optimizer), T_max_(T_max), eta_min_(eta_min) {
  NABLA_CHECK(T_max > 0, "CosineAnnealingLR: T_max must be positive, got ", T_max);
  initial_step();
}
std::vector<double> CosineAnnealingLR::get_lr() {
  constexpr double pi = std::numbers::pi;
  const double T = static_cast<double>(T_max_), e = static_cast<double>(last_epoch_);
  std::vector<double> lrs = group_lrs();
  if (last_epoch_ == 0) return lrs;
  for (size_t i = 0; i < lrs.size(); ++i) {
    if (step_count_ == 1 && last_epoch_ > 0)
      lrs[i] = eta_min_ + (base_lrs_[i] - eta_min_) * (1 + std::cos(e * pi / T)) / 2;
    else if ((last_epoch_ - 1 - T_max_) % (2 * T_max_) == 0)
      lrs[i] = lrs[i] + (base_lrs_[i] - eta_min_) * (1 - std::cos(pi / T)) / 2;
    else
      lrs[i] = (1 + std::cos(pi * e / T)) / (1 + std::cos(pi * (e - 1) / T)) *
                   (lrs[i] - eta_min_) + eta_min_;
  }
  return lrs;
}
std::optional<std::vector<double>> CosineAnnealingLR::closed_form_lr() const {
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min_ + (base - eta_min_) *
                                 (1 + std::cos(std::numbers::pi * static_cast<double>(last_epoch_) /
                                               static_cast<double>(T_max_))) / 2);
  return lrs;
}

}  // namespace nabla::optim
