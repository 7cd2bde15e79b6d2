// Learning-rate schedules, torch.optim.lr_scheduler (1.13). A scheduler is bound to an
// optimizer and sets every group's "lr" (from per-group base lrs, the groups' lrs when it was
// made); call step() once per iteration or once per epoch, after optimizer.step(), as torch.
// Constructing a scheduler already applies its value for step 0.
//
//   optim::SGD sgd(params, {.lr = 0.1, .momentum = 0.9});
//   optim::CosineAnnealingLR cosine(sgd, /*T_max=*/100);
//   for (int epoch = 0; epoch < 100; ++epoch) { train_epoch(sgd); cosine.step(); }
//
// The chainable schedules (Constant, Step, MultiStep, Exponential, Linear, CosineAnnealing)
// use torch's recursive get_lr forms, so their sequences equal torch's number for number and
// they compose with other changes of the lr; step_at(epoch) uses the closed forms.
#pragma once
#pragma GCC visibility push(default)

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "nabla/optim/optimizer.hpp"

namespace nabla::optim {

using SchedulerState = std::map<std::string, double>;

class LRScheduler {
 public:
  virtual ~LRScheduler() = default;
  LRScheduler(const LRScheduler&) = delete;
  LRScheduler& operator=(const LRScheduler&) = delete;

  virtual void step();
  // Jumps to `epoch` with the closed form where the schedule has one (torch's deprecated
  // step(epoch)); SequentialLR uses it at milestones. Virtual: a schedule with counters of its
  // own (warm restarts' T_cur, T_i) recomputes them for the epoch, as its torch step(epoch).
  virtual void step_at(int64_t epoch);
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  const std::vector<double>& base_lrs() const { return base_lrs_; }
  int64_t last_epoch() const { return last_epoch_; }
  Optimizer& optimizer() const { return optimizer_; }

  // last_epoch, step count, base and last lrs, plus each schedule's own counters.
  virtual SchedulerState state_dict() const;
  virtual void load_state_dict(const SchedulerState& state);

 protected:
  friend class SequentialLR;  // rewinds its children, as torch's does
  explicit LRScheduler(Optimizer& optimizer);
  // torch's _initial_step: the constructors of concrete schedules call it last.
  void initial_step();
  virtual std::vector<double> get_lr() = 0;
  virtual std::optional<std::vector<double>> closed_form_lr() const { return std::nullopt; }
  std::vector<double> group_lrs() const;
  void apply(const std::vector<double>& lrs);

  Optimizer& optimizer_;
  std::vector<double> base_lrs_;
  std::vector<double> last_lr_;
  int64_t last_epoch_ = -1;
  int64_t step_count_ = 0;
};

// lr = base · factor until total_iters steps have passed, then base.
class ConstantLR : public LRScheduler {
 public:
  explicit ConstantLR(Optimizer& optimizer, double factor = 1.0 / 3, int64_t total_iters = 5);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double factor_;
  int64_t total_iters_;
};

// lr = base · gamma^⌊epoch / step_size⌋.
class StepLR : public LRScheduler {
 public:
  StepLR(Optimizer& optimizer, int64_t step_size, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  int64_t step_size_;
  double gamma_;
};

// lr = base · gamma^(milestones passed); a repeated milestone decays twice, as torch's Counter.
class MultiStepLR : public LRScheduler {
 public:
  MultiStepLR(Optimizer& optimizer, std::vector<int64_t> milestones, double gamma = 0.1);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  std::vector<int64_t> milestones_;  // sorted
  double gamma_;
};

// lr = base · gamma^epoch (the notes' 0.95^epoch).
class ExponentialLR : public LRScheduler {
 public:
  ExponentialLR(Optimizer& optimizer, double gamma);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double gamma_;
};

// Linear warm-up: lr = base · (start + (end − start) · min(epoch, total_iters) / total_iters).
class LinearLR : public LRScheduler {
 public:
  explicit LinearLR(Optimizer& optimizer, double start_factor = 1.0 / 3,
                    double end_factor = 1.0, int64_t total_iters = 5);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  double start_factor_, end_factor_;
  int64_t total_iters_;
};

// lr = base · f(epoch), torch's LambdaLR; the factories below give the notes' decays.
class LambdaLR : public LRScheduler {
 public:
  LambdaLR(Optimizer& optimizer, std::function<double(int64_t)> lr_lambda);

 protected:
  std::vector<double> get_lr() override;

 private:
  std::function<double(int64_t)> lr_lambda_;
};
std::function<double(int64_t)> constant_decay();                      // 1
std::function<double(int64_t)> exponential_decay(double k);          // e^(−k·t)
std::function<double(int64_t)> inverse_time_decay(double k);         // 1 / (1 + k·t)
std::function<double(int64_t)> inverse_sqrt_decay(int64_t warmup = 1);  // √w / √max(t, w)

// lr = η_min + (base − η_min)(1 + cos(π·epoch/T_max))/2, via torch's recursive form.
class CosineAnnealingLR : public LRScheduler {
 public:
  CosineAnnealingLR(Optimizer& optimizer, int64_t T_max, double eta_min = 0.0);

 protected:
  std::vector<double> get_lr() override;
  std::optional<std::vector<double>> closed_form_lr() const override;

 private:
  int64_t T_max_;
  double eta_min_;
};

// SGDR: cosine from base to η_min over T_i steps, then restart with T_i *= T_mult.
class CosineAnnealingWarmRestarts : public LRScheduler {
 public:
  CosineAnnealingWarmRestarts(Optimizer& optimizer, int64_t T_0, int64_t T_mult = 1,
                              double eta_min = 0.0);
  void step() override;
  void step_at(int64_t epoch) override;
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& state) override;

 protected:
  std::vector<double> get_lr() override;

 private:
  int64_t T_0_, T_i_, T_mult_, T_cur_;
  double eta_min_;
};

// Cyclical learning rates (Smith 2017). base_lr / max_lr / momenta: one value for every group
// or one per group. With cycle_momentum the group's "momentum" cycles inversely.
struct CyclicLROptions {
  std::vector<double> base_lr;
  std::vector<double> max_lr;
  int64_t step_size_up = 2000;
  std::optional<int64_t> step_size_down = std::nullopt;  // = step_size_up
  std::string mode = "triangular";                       // triangular, triangular2, exp_range
  double gamma = 1.0;
  bool cycle_momentum = true;
  std::vector<double> base_momentum{0.8};
  std::vector<double> max_momentum{0.9};
};
class CyclicLR : public LRScheduler {
 public:
  CyclicLR(Optimizer& optimizer, CyclicLROptions options);

 protected:
  std::vector<double> get_lr() override;

 private:
  // base_lrs: options.base_lr per group, computed once by the public constructor.
  CyclicLR(Optimizer& optimizer, CyclicLROptions options, std::vector<double> base_lrs);
  CyclicLROptions options_;
  double total_size_, step_ratio_;
  std::vector<double> max_lrs_, base_momentums_, max_momentums_;
};

// The 1cycle policy (fastai's two phases, or three_phase): warm up from max_lr/div_factor to
// max_lr over pct_start of total_steps, then anneal to initial/final_div_factor. With
// cycle_momentum it cycles "momentum" (SGD, RMSprop) or "beta1" (Adam) inversely.
struct OneCycleLROptions {
  std::vector<double> max_lr;
  int64_t total_steps = 0;
  double pct_start = 0.3;
  std::string anneal_strategy = "cos";  // or "linear"
  bool cycle_momentum = true;
  double base_momentum = 0.85;
  double max_momentum = 0.95;
  double div_factor = 25.0;
  double final_div_factor = 1e4;
  bool three_phase = false;
};
class OneCycleLR : public LRScheduler {
 public:
  OneCycleLR(Optimizer& optimizer, OneCycleLROptions options);

 protected:
  std::vector<double> get_lr() override;

 private:
  struct Phase {
    double end_step;
    std::string start_lr, end_lr, start_momentum, end_momentum;
  };
  double anneal(double start, double end, double pct) const;
  OneCycleLROptions options_;
  std::vector<Phase> phases_;
  std::string momentum_key_;  // "momentum" or "beta1"
};

// Runs schedulers[i] from milestones[i−1] on (a warm-up then a decay: LinearLR, then cosine).
class SequentialLR : public LRScheduler {
 public:
  SequentialLR(Optimizer& optimizer, std::vector<std::shared_ptr<LRScheduler>> schedulers,
               std::vector<int64_t> milestones);
  void step() override;
  SchedulerState state_dict() const override;
  void load_state_dict(const SchedulerState& state) override;

 protected:
  std::vector<double> get_lr() override { return group_lrs(); }

 private:
  std::vector<std::shared_ptr<LRScheduler>> schedulers_;
  std::vector<int64_t> milestones_;
};

// Divides the lr by 1/factor when a metric stops improving for `patience` steps; torch's
// ReduceLROnPlateau, stepped with the metric: plateau.step(validation_loss).
struct ReduceLROnPlateauOptions {
  std::string mode = "min";  // or "max"
  double factor = 0.1;
  int64_t patience = 10;
  double threshold = 1e-4;
  std::string threshold_mode = "rel";  // or "abs"
  int64_t cooldown = 0;
  std::vector<double> min_lr{0.0};  // one for all groups, or one per group
  double eps = 1e-8;
};
class ReduceLROnPlateau {
 public:
  explicit ReduceLROnPlateau(Optimizer& optimizer, ReduceLROnPlateauOptions options = {});
  void step(double metric);
  const std::vector<double>& get_last_lr() const { return last_lr_; }
  int64_t num_bad_epochs() const { return num_bad_epochs_; }
  SchedulerState state_dict() const;
  void load_state_dict(const SchedulerState& state);

 private:
  bool is_better(double a, double best) const;
  Optimizer& optimizer_;
  ReduceLROnPlateauOptions options_;
  std::vector<double> min_lrs_, last_lr_;
  double best_;
  int64_t num_bad_epochs_ = 0, cooldown_counter_ = 0, last_epoch_ = 0;
};

}  // namespace nabla::optim

#pragma GCC visibility pop
