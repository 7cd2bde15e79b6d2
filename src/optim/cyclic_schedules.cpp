// The schedules that are not chainable: warm restarts, cyclical lrs and 1cycle (torch 1.13).
#include <algorithm>
#include <cmath>
#include <numbers>

#include "nabla/optim/schedule.hpp"
#include "optim/schedule_util.hpp"

namespace nabla::optim {

// --- CosineAnnealingWarmRestarts ------------------------------------------------------------
CosineAnnealingWarmRestarts::CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0,
                                                         int64_t T_mult, double eta_min)
    : LRScheduler(optimizer), T_0_(T_0), T_i_(T_0), T_mult_(T_mult), T_cur_(-1),
      eta_min_(eta_min) {
  NABLA_CHECK(T_0 > 0, "CosineAnnealingWarmRestarts: expected positive T_0, got ", T_0);
  NABLA_CHECK(T_mult >= 1, "CosineAnnealingWarmRestarts: expected T_mult >= 1, got ", T_mult);
  initial_step();
}

void CosineAnnealingWarmRestarts::step() {
  if (last_epoch_ < 0) {  // the initial step: epoch 0 of the first period
    T_i_ = T_0_;
    T_cur_ = 0;
    last_epoch_ = 0;
  } else {
    ++last_epoch_;
    if (++T_cur_ >= T_i_) {
      T_cur_ -= T_i_;
      T_i_ *= T_mult_;
    }
  }
  ++step_count_;
  apply(get_lr());
}

std::vector<double> CosineAnnealingWarmRestarts::get_lr() {
  std::vector<double> lrs;
  for (double base : base_lrs_)
    lrs.push_back(eta_min_ + (base - eta_min_) *
                                 (1 + std::cos(std::numbers::pi * static_cast<double>(T_cur_) /
                                               static_cast<double>(T_i_))) / 2);
  return lrs;
}

SchedulerState CosineAnnealingWarmRestarts::state_dict() const {
  SchedulerState out = LRScheduler::state_dict();
  out["T_i"] = static_cast<double>(T_i_);
  out["T_cur"] = static_cast<double>(T_cur_);
  return out;
}

void CosineAnnealingWarmRestarts::step_at(int64_t epoch) {
  // torch's step(epoch) branch: T_cur and T_i from the epoch alone, not from the last step.
  NABLA_CHECK(epoch >= 0, "CosineAnnealingWarmRestarts: expected non-negative epoch, got ",
              epoch);
  if (epoch >= T_0_) {
    if (T_mult_ == 1) {
      T_cur_ = epoch % T_0_;
    } else {
      const double e = static_cast<double>(epoch), T0 = static_cast<double>(T_0_);
      const double mult = static_cast<double>(T_mult_);
      // int(math.log(epoch / T_0 * (T_mult - 1) + 1, T_mult)): Python's log(x, b) is
      // log(x) / log(b), so an exact power may round down, as in torch.
      const auto n = static_cast<int64_t>(std::log(e / T0 * (mult - 1) + 1) / std::log(mult));
      const auto power = static_cast<int64_t>(std::llround(std::pow(mult, static_cast<double>(n))));
      T_cur_ = epoch - T_0_ * (power - 1) / (T_mult_ - 1);
      T_i_ = T_0_ * power;
    }
  } else {
    T_i_ = T_0_;
    T_cur_ = epoch;
  }
  last_epoch_ = epoch;
  ++step_count_;  // as step() here
  apply(get_lr());
}

void CosineAnnealingWarmRestarts::load_state_dict(const SchedulerState& state) {
  // Check this schedule's keys first: the base assigns only after checking its own.
  for (const char* key : {"T_i", "T_cur"})
    NABLA_CHECK(state.count(key), "CosineAnnealingWarmRestarts.load_state_dict: missing '", key,
                "'; pass a dict saved by state_dict() of the same schedule");
  LRScheduler::load_state_dict(state);
  T_i_ = static_cast<int64_t>(state.at("T_i"));
  T_cur_ = static_cast<int64_t>(state.at("T_cur"));
}

// --- CyclicLR -------------------------------------------------------------------------------
namespace {
// torch sets each group's lr to base_lr before the base class reads initial_lr.
Optimizer& start_at_base_lr(Optimizer& optimizer, const std::vector<double>& base) {
  auto& groups = optimizer.param_groups();
  for (size_t i = 0; i < groups.size(); ++i) groups[i].options["lr"] = base[i];
  return optimizer;
}
}  // namespace

CyclicLR::CyclicLR(Optimizer& optimizer, CyclicLROptions options)
    : CyclicLR(optimizer, options,
               per_group("CyclicLR", "base_lr", options.base_lr,
                         optimizer.param_groups().size())) {}

CyclicLR::CyclicLR(Optimizer& optimizer, CyclicLROptions options, std::vector<double> base_lrs)
    : LRScheduler(start_at_base_lr(optimizer, base_lrs)), options_(std::move(options)) {
  auto& groups = optimizer_.param_groups();
  base_lrs_ = std::move(base_lrs);
  max_lrs_ = per_group("CyclicLR", "max_lr", options_.max_lr, groups.size());
  const double up = static_cast<double>(options_.step_size_up);
  const double down = static_cast<double>(options_.step_size_down.value_or(options_.step_size_up));
  total_size_ = up + down;
  step_ratio_ = up / total_size_;
  NABLA_CHECK(options_.mode == "triangular" || options_.mode == "triangular2" ||
                  options_.mode == "exp_range",
              "CyclicLR: mode must be triangular, triangular2 or exp_range, got '",
              options_.mode, "'");
  if (options_.cycle_momentum) {
    NABLA_CHECK(optimizer_.defaults().count("momentum"), "CyclicLR: ", optimizer_.name(),
                " has no momentum to cycle; pass cycle_momentum = false");
    const auto base_m = per_group("CyclicLR", "base_momentum", options_.base_momentum, groups.size());
    for (size_t i = 0; i < groups.size(); ++i) groups[i].options["momentum"] = base_m[i];
    base_momentums_ = base_m;
    max_momentums_ = per_group("CyclicLR", "max_momentum", options_.max_momentum, groups.size());
  }
  initial_step();
}

std::vector<double> CyclicLR::get_lr() {
  const double e = static_cast<double>(last_epoch_);
  const double cycle = std::floor(1 + e / total_size_);
  const double x = 1.0 + e / total_size_ - cycle;
  const double scale_factor = x <= step_ratio_ ? x / step_ratio_ : (x - 1) / (step_ratio_ - 1);
  double scale = 1.0;  // triangular
  if (options_.mode == "triangular2") scale = 1 / std::pow(2.0, cycle - 1);
  if (options_.mode == "exp_range") scale = std::pow(options_.gamma, e);  // per iteration
  std::vector<double> lrs;
  for (size_t i = 0; i < base_lrs_.size(); ++i)
    lrs.push_back(base_lrs_[i] + (max_lrs_[i] - base_lrs_[i]) * scale_factor * scale);
  if (options_.cycle_momentum) {
    auto& groups = optimizer_.param_groups();
    for (size_t i = 0; i < groups.size(); ++i)
      groups[i].options["momentum"] =
          max_momentums_[i] - (max_momentums_[i] - base_momentums_[i]) * scale_factor * scale;
  }
  return lrs;
}

// --- OneCycleLR -----------------------------------------------------------------------------
namespace {
// torch writes initial/max/min lr (and the momentum range) into the groups first.
Optimizer& prepare_one_cycle(Optimizer& optimizer, const OneCycleLROptions& o) {
  NABLA_CHECK(o.total_steps > 0, "OneCycleLR: expected positive total_steps, got ",
              o.total_steps);
  NABLA_CHECK(o.pct_start >= 0 && o.pct_start <= 1, "OneCycleLR: expected pct_start in [0, 1], "
              "got ", o.pct_start);
  NABLA_CHECK(o.anneal_strategy == "cos" || o.anneal_strategy == "linear",
              "OneCycleLR: anneal_strategy must be 'cos' or 'linear', got '", o.anneal_strategy,
              "'");
  auto& groups = optimizer.param_groups();
  const auto max_lrs = per_group("OneCycleLR", "max_lr", o.max_lr, groups.size());
  const bool beta1 = optimizer.defaults().count("beta1") > 0;
  for (const char* key : {"initial_lr", "max_lr", "min_lr", "max_momentum", "base_momentum"})
    optimizer.allow_option(key);
  NABLA_CHECK(!o.cycle_momentum || beta1 || optimizer.defaults().count("momentum"),
              "OneCycleLR: ", optimizer.name(), " has no momentum or beta1 to cycle; pass "
              "cycle_momentum = false");
  for (size_t i = 0; i < groups.size(); ++i) {
    Options& g = groups[i].options;
    g["initial_lr"] = max_lrs[i] / o.div_factor;
    g["max_lr"] = max_lrs[i];
    g["min_lr"] = g["initial_lr"] / o.final_div_factor;
    if (!o.cycle_momentum) continue;
    g[beta1 ? "beta1" : "momentum"] = o.max_momentum;
    g["max_momentum"] = o.max_momentum;
    g["base_momentum"] = o.base_momentum;
  }
  return optimizer;
}
}  // namespace

OneCycleLR::OneCycleLR(Optimizer& optimizer, OneCycleLROptions options)
    : LRScheduler(prepare_one_cycle(optimizer, options)), options_(std::move(options)) {
  momentum_key_ = optimizer_.defaults().count("beta1") ? "beta1" : "momentum";
  const double total = static_cast<double>(options_.total_steps), pct = options_.pct_start;
  if (options_.three_phase) {
    phases_ = {{pct * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {2 * pct * total - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"},
               {total - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum"}};
  } else {
    phases_ = {{pct * total - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"},
               {total - 1, "max_lr", "min_lr", "base_momentum", "max_momentum"}};
  }
  initial_step();
}

double OneCycleLR::anneal(double start, double end, double pct) const {
  if (options_.anneal_strategy == "linear") return (end - start) * pct + start;
  return end + (start - end) / 2.0 * (std::cos(std::numbers::pi * pct) + 1);
}

std::vector<double> OneCycleLR::get_lr() {
  NABLA_CHECK(last_epoch_ <= options_.total_steps, "OneCycleLR: tried to step ",
              last_epoch_ + 1, " times; the specified number of total steps is ",
              options_.total_steps);
  const double step = static_cast<double>(last_epoch_);
  std::vector<double> lrs;
  for (ParamGroup& group : optimizer_.param_groups()) {
    Options& g = group.options;
    double start_step = 0.0;
    for (size_t i = 0; i < phases_.size(); ++i) {
      const Phase& phase = phases_[i];
      if (step <= phase.end_step || i + 1 == phases_.size()) {
        const double pct = (step - start_step) / (phase.end_step - start_step);
        lrs.push_back(anneal(g.at(phase.start_lr), g.at(phase.end_lr), pct));
        if (options_.cycle_momentum)
          g[momentum_key_] = anneal(g.at(phase.start_momentum), g.at(phase.end_momentum), pct);
        break;
      }
      start_step = phase.end_step;
    }
  }
  return lrs;
}

}  // namespace nabla::optim
