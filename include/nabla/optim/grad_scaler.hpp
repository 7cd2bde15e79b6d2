// Dynamic loss scaling for mixed-precision training, torch.cuda.amp.GradScaler (1.13).
//
//   optim::GradScaler scaler;                       // init_scale 65536, growth 2, backoff 0.5
//   for (...) {
//     optimizer.zero_grad();
//     Tensor loss;
//     { AutocastGuard autocast(Precision::f16); loss = criterion(model(x), y); }
//     scaler.scale(loss).backward();                // gradients of loss · scale
//     scaler.unscale_(optimizer);                   // optional: to clip the true gradients
//     optim::clip_grad_norm_(model.parameters(), 1.0);
//     scaler.step(optimizer);                       // skipped when a gradient is inf / NaN
//     scaler.update();                              // backoff on inf; growth after 2000 clean
//   }
//
// Semantics (torch 1.13):
//  - scale(loss) returns loss · scale (differentiable); the scale starts at init_scale.
//  - unscale_(opt) multiplies every gradient of opt's parameters by 1/scale (in place) and
//    records whether any of them holds an inf or NaN. At most once per optimizer between
//    update()s, and not after step(): both are Errors, as in torch.
//  - step(opt) calls unscale_(opt) unless it ran already, then opt.step() only when every
//    gradient was finite. Once per optimizer between update()s; an optimizer none of whose
//    parameters has a gradient is an Error ("no inf checks were recorded"), as in torch.
//  - update() combines the optimizers' records: any inf/NaN multiplies the scale by
//    backoff_factor and restarts the count of clean steps; otherwise after growth_interval
//    consecutive clean steps the scale is multiplied by growth_factor (unless that would make
//    it inf) and the count restarts. update(new_scale) sets the scale instead. The scale is a
//    float32 value, as torch's scale tensor.
//  - Disabled (enabled = false), every method is a pass-through: scale() returns the loss,
//    step() just calls opt.step(), unscale_() and update() do nothing, get_scale() is 1.
//  - Works on any device: gradients are scaled and checked with tensor ops. Storage stays f32
//    (see nabla/amp.hpp), so with no overflow a scaled run equals the unscaled one whenever the
//    scale is a power of two (as growth 2 and backoff 0.5 keep it).
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <map>
#include <string>

#include "nabla/optim/optimizer.hpp"
#include "nabla/tensor.hpp"

namespace nabla::optim {

struct GradScalerOptions {
  double init_scale = 65536.0;  // 2^16
  double growth_factor = 2.0;
  double backoff_factor = 0.5;
  int64_t growth_interval = 2000;
  bool enabled = true;
};

class GradScaler {
 public:
  explicit GradScaler(GradScalerOptions options = {});

  Tensor scale(const Tensor& loss);
  void unscale_(Optimizer& optimizer);
  void step(Optimizer& optimizer);
  void update();
  void update(double new_scale);

  double get_scale() const;  // 1.0 when disabled
  bool is_enabled() const { return options_.enabled; }
  double get_growth_factor() const { return options_.growth_factor; }
  double get_backoff_factor() const { return options_.backoff_factor; }
  int64_t get_growth_interval() const { return options_.growth_interval; }
  void set_growth_factor(double factor);
  void set_backoff_factor(double factor);
  void set_growth_interval(int64_t interval);
  int64_t growth_tracker() const { return growth_tracker_; }  // clean steps since last change
  // Whether unscale_ found an inf/NaN gradient of `optimizer` since the last update() (false
  // when it has not run for it).
  bool found_inf(const Optimizer& optimizer) const;

  // torch's keys: "scale", "growth_factor", "backoff_factor", "growth_interval",
  // "_growth_tracker". Empty when disabled; loading an empty dict into an enabled scaler is an
  // Error (it was saved from a disabled one), and a disabled scaler ignores what it is given.
  std::map<std::string, double> state_dict() const;
  void load_state_dict(const std::map<std::string, double>& state);

 private:
  enum class Stage { ready, unscaled, stepped };
  struct OptimizerRecord {
    Stage stage = Stage::ready;
    bool checked = false;  // unscale_ saw at least one gradient
    bool found_inf = false;
  };

  GradScalerOptions options_;
  double scale_;
  int64_t growth_tracker_ = 0;
  std::map<const Optimizer*, OptimizerRecord> records_;  // since the last update()
};

}  // namespace nabla::optim

#pragma GCC visibility pop
