// GradScaler (torch.cuda.amp.GradScaler, 1.13). The scale is kept as a double holding a float32
// value: torch keeps it in a float32 tensor, and rounding each update to float32 here gives the
// same sequence of scales. Non-finite gradients are found with Σ(g·0), which is 0 for finite g
// and NaN as soon as one element is inf or NaN; the sums of all gradients are added on the
// device and read once, so a CUDA step synchronises once per optimizer, as torch's does.
#include "nabla/optim/grad_scaler.hpp"

#include <cmath>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"

namespace nabla::optim {

namespace {

double to_float32(double value) { return static_cast<double>(static_cast<float>(value)); }

void check_growth_factor(double factor) {
  NABLA_CHECK(factor > 1.0 && std::isfinite(factor), "GradScaler: growth_factor must be > 1, got ",
              factor, " (torch's default is 2)");
}

void check_backoff_factor(double factor) {
  NABLA_CHECK(factor > 0.0 && factor < 1.0, "GradScaler: backoff_factor must be in (0, 1), got ",
              factor, " (torch's default is 0.5)");
}

void check_growth_interval(int64_t interval) {
  NABLA_CHECK(interval >= 1, "GradScaler: growth_interval must be a positive number of steps, got ",
              interval, " (torch's default is 2000)");
}

void check_scale(double scale, const char* what) {
  NABLA_CHECK(scale > 0.0 && std::isfinite(to_float32(scale)), "GradScaler: ", what,
              " must be positive and finite in float32, got ", scale);
}

double required(const std::map<std::string, double>& state, const char* key) {
  const auto found = state.find(key);
  NABLA_CHECK(found != state.end(), "GradScaler::load_state_dict: the state has no '", key,
              "'; pass a dict saved by GradScaler::state_dict()");
  return found->second;
}

}  // namespace

GradScaler::GradScaler(GradScalerOptions options) : options_(options) {
  check_scale(options_.init_scale, "init_scale");
  check_growth_factor(options_.growth_factor);
  check_backoff_factor(options_.backoff_factor);
  check_growth_interval(options_.growth_interval);
  scale_ = to_float32(options_.init_scale);
}

Tensor GradScaler::scale(const Tensor& loss) {
  NABLA_CHECK(loss.defined(), "GradScaler::scale: the loss is an undefined tensor");
  if (!options_.enabled) return loss;
  return loss * scale_;
}

void GradScaler::unscale_(Optimizer& optimizer) {
  if (!options_.enabled) return;
  OptimizerRecord& record = records_[&optimizer];
  NABLA_CHECK(record.stage != Stage::unscaled, "GradScaler::unscale_: already called for this "
              "optimizer since the last update(); call it at most once per step");
  NABLA_CHECK(record.stage != Stage::stepped, "GradScaler::unscale_: called after step() for "
              "this optimizer; unscale before step(), or call update() first");
  autograd::NoGradGuard no_grad;
  const double inv_scale = to_float32(1.0 / scale_);
  Tensor probe;  // Σ over every gradient of Σ(g·0), read after all are queued
  for (const ParamGroup& group : optimizer.param_groups())
    for (const Tensor& param : group.params) {
      const Tensor grad = param.grad();
      if (!grad.defined()) continue;
      // Checked before the multiplication, as torch: an overflow of g / scale is not flagged.
      Tensor part = sum(grad * 0.0).to(DType::f64);
      if (probe.defined() && part.device() != probe.device()) part = part.to(probe.device());
      probe = probe.defined() ? probe + part : part;
      grad.mul_(inv_scale);
    }
  record.checked = probe.defined();
  record.found_inf = record.checked && !std::isfinite(probe.item());
  record.stage = Stage::unscaled;
}

void GradScaler::step(Optimizer& optimizer) {
  if (!options_.enabled) {
    optimizer.step();
    return;
  }
  OptimizerRecord& record = records_[&optimizer];
  NABLA_CHECK(record.stage != Stage::stepped, "GradScaler::step: already called for this "
              "optimizer since the last update(); call update() once per iteration");
  if (record.stage == Stage::ready) unscale_(optimizer);
  NABLA_CHECK(record.checked, "GradScaler::step: no inf checks were recorded for this optimizer: "
              "none of its parameters has a gradient; call backward() on scale(loss) first");
  if (!record.found_inf) optimizer.step();
  record.stage = Stage::stepped;
}

void GradScaler::update() {
  if (!options_.enabled) return;
  bool checked = false, found = false;
  for (const auto& [optimizer, record] : records_) {
    checked = checked || record.checked;
    found = found || record.found_inf;
  }
  NABLA_CHECK(checked, "GradScaler::update: no inf checks were recorded; call step(optimizer) "
              "(or unscale_) on an optimizer with gradients before update()");
  if (found) {
    scale_ = to_float32(scale_ * options_.backoff_factor);
    growth_tracker_ = 0;
  } else if (growth_tracker_ + 1 == options_.growth_interval) {
    const double grown = to_float32(scale_ * options_.growth_factor);
    if (std::isfinite(grown)) scale_ = grown;  // never grow past float32's range
    growth_tracker_ = 0;
  } else {
    ++growth_tracker_;
  }
  records_.clear();
}

void GradScaler::update(double new_scale) {
  if (!options_.enabled) return;
  check_scale(new_scale, "update(new_scale)");
  scale_ = to_float32(new_scale);
  records_.clear();
}

double GradScaler::get_scale() const { return options_.enabled ? scale_ : 1.0; }

void GradScaler::set_growth_factor(double factor) {
  check_growth_factor(factor);
  options_.growth_factor = factor;
}

void GradScaler::set_backoff_factor(double factor) {
  check_backoff_factor(factor);
  options_.backoff_factor = factor;
}

void GradScaler::set_growth_interval(int64_t interval) {
  check_growth_interval(interval);
  options_.growth_interval = interval;
}

bool GradScaler::found_inf(const Optimizer& optimizer) const {
  const auto found = records_.find(&optimizer);
  return found != records_.end() && found->second.found_inf;
}

std::map<std::string, double> GradScaler::state_dict() const {
  if (!options_.enabled) return {};
  return {{"scale", scale_},
          {"growth_factor", options_.growth_factor},
          {"backoff_factor", options_.backoff_factor},
          {"growth_interval", static_cast<double>(options_.growth_interval)},
          {"_growth_tracker", static_cast<double>(growth_tracker_)}};
}

void GradScaler::load_state_dict(const std::map<std::string, double>& state) {
  if (!options_.enabled) return;
  NABLA_CHECK(!state.empty(), "GradScaler::load_state_dict: the state is empty, possibly because "
              "it was saved from a disabled GradScaler; save from an enabled one");
  const double scale = required(state, "scale");
  const double growth = required(state, "growth_factor");
  const double backoff = required(state, "backoff_factor");
  const double interval = required(state, "growth_interval");
  const double tracker = required(state, "_growth_tracker");
  NABLA_CHECK(interval == std::floor(interval) && tracker == std::floor(tracker) && tracker >= 0,
              "GradScaler::load_state_dict: growth_interval (", interval, ") and _growth_tracker (",
              tracker, ") must be whole numbers");
  check_scale(scale, "the saved scale");
  check_growth_factor(growth);
  check_backoff_factor(backoff);
  check_growth_interval(static_cast<int64_t>(interval));
  scale_ = to_float32(scale);
  options_.growth_factor = growth;
  options_.backoff_factor = backoff;
  options_.growth_interval = static_cast<int64_t>(interval);
  growth_tracker_ = static_cast<int64_t>(tracker);
}

}  // namespace nabla::optim
