// Training monitor: the quantities the notes ask a person to watch while babysitting a run,
// taken by the Trainer once per epoch on the epoch's last step (options.monitor), and the
// building blocks to take them by hand.
//
//   update/weight ratio   ||w_after − w_before|| / ||w_before|| per parameter tensor for one
//                         optimizer step; ~1e-3 is healthy, outside [1e-4, 1e-2] is far from it
//                         (kUpdateRatioLow / kUpdateRatioHigh). A tensor whose weights were all
//                         zero before the step is measured against its weights after it. Also
//                         taken on the first step of a run. Whether to warn is UpdateRatioCheck's
//                         call (below), not a single tensor's or a single step's.
//   activation histograms 30 equal-width bins over [min, max] of each module output, for the
//                         modules whose type_name() is Linear, Conv2d, ReLU, Tanh, Sigmoid or
//                         BatchNorm* (kMonitoredLayerTypes), from the step's forward.
//   gradient histograms   the same over each parameter's .grad() after that step's backward.
//   dead-ReLU fraction    per ReLU module: the fraction of its units that output 0 for every
//                         sample of the batch. A unit is one feature of a [B, F] output, or one
//                         channel of a [B, C, ...] output (all its spatial positions together,
//                         as a channel shares one filter): dead when output[:, u, ...] is all 0.
//
// Histogram names: activations "<module name> (<type>)" ("features.1 (ReLU)"; the root model is
// named by its type), gradients the parameter's dotted name. Bins hold the finite values; when
// min == max the range widens to [v − 0.5, v + 0.5] so the single value sits mid-plot.
//
//   const train::MonitorSnapshot& m = trainer.last_monitor();
//   train::fill_run_record(trainer.history(), m, record);   // report::RunRecord's plots
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "nabla/nn/module.hpp"
#include "nabla/report/report.hpp"

namespace nabla::train {

struct History;

inline constexpr double kUpdateRatioLow = 1e-4;
inline constexpr double kUpdateRatioHigh = 1e-2;
inline constexpr int64_t kHistogramBins = 30;
// Module types whose outputs get activation histograms ("BatchNorm" matches every BatchNorm*).
inline const std::vector<std::string> kMonitoredLayerTypes = {"Linear", "Conv2d", "ReLU",
                                                              "Tanh",   "Sigmoid", "BatchNorm"};

struct MonitorSnapshot {
  int64_t epoch = 0;  // 1-based epoch it was taken in; 0: none taken yet
  int64_t step = 0;   // global step (1-based) it was taken on
  std::vector<std::pair<std::string, double>> update_ratio;  // parameter order
  std::vector<report::Histogram> activation_histograms;      // call order of the forward
  std::vector<report::Histogram> gradient_histograms;        // parameter order
  std::vector<std::pair<std::string, double>> dead_relu_fraction;  // call order
  // The update-ratio warning UpdateRatioCheck gave for this step (weight tensors only: a bias
  // starts near zero, so its ratio says little), "" for none; the trainer prints it.
  std::string warning;
};

// Equal-width histogram of the finite elements of `values` (any floating tensor).
report::Histogram histogram(const std::string& name, const Tensor& values,
                            int64_t bins = kHistogramBins);
// Fraction of dead units of a ReLU output (see above); 0-d or empty outputs give 0.
double dead_unit_fraction(const Tensor& output);
// ||after − before|| / ||before|| (||after|| when before is all zero; 0 when both are).
double update_ratio(const Tensor& before, const Tensor& after);
// Whether a ratio lies outside [kUpdateRatioLow, kUpdateRatioHigh] (NaN never does).
bool update_ratio_flagged(double ratio);

// "NaN" or "inf" for the first non-finite element of a floating tensor (on any device); nullptr
// when every element is finite, or the tensor is empty or not floating.
const char* non_finite_kind(const Tensor& tensor);
// The first module, in call order, whose output is non-finite when `model` runs on `inputs`
// (without gradients); nothing when every output is finite. An exception inside the forward
// ends the search: this is a diagnosis after something already failed.
struct NonFiniteModule {
  std::string name;  // dotted, "" for the root
  std::string type;  // "Linear"
  const char* kind;  // "NaN" or "inf"
};
std::optional<NonFiniteModule> first_non_finite_module(nn::Module& model, const Tensor& inputs);

// The trainer's update-ratio warning, judged on the run rather than on one tensor and one step,
// so that a schedule and the noise of a single step raise no alarm:
//   - scale: the median ratio of the weight tensors (dim >= 2) of a monitored step, times
//     reference_lr / lr (the step's lr as a fraction of the schedule's peak): warm-up and
//     annealing change the ratio with the lr, which is what they are for;
//   - band: low below kRunRatioLow (1e-4), high above kRunRatioHigh (1e-1). The high edge is
//     10x the notes' 1e-2 because healthy runs sit there: Adam on small nets and SGD on
//     batch-normalised nets (scale-invariant weights, weight decay) measured 1e-2 to 7e-2 on
//     the shipped examples, which train well;
//   - persistence: the same side of the band on kRunRatioEpochs (2) successive epoch-end
//     measurements, or at once when 10x beyond it (below 1e-5, above 1), or when the first step
//     of the run changes the weights by more than kFirstStepHigh (1.0, the weights' own size);
//   - a median of exactly 0 (no weight changed: dead units, zero gradients) has its own line.
// A warning is printed once; the check re-arms after kRunRatioEpochs epochs back in the band.
inline constexpr double kRunRatioLow = 1e-4;
inline constexpr double kRunRatioHigh = 1e-1;
inline constexpr int kRunRatioEpochs = 2;
inline constexpr double kFirstStepHigh = 1.0;

class UpdateRatioCheck {
 public:
  // reference_lr > 0: the lr at which ~1e-3 is expected (the schedule's peak).
  explicit UpdateRatioCheck(double reference_lr = 0.0) : reference_lr_(reference_lr) {}
  void set_reference_lr(double lr) { reference_lr_ = lr; }
  double reference_lr() const { return reference_lr_; }
  // One monitored step: the weight tensors' ratios, the lr the step used, and whether it was
  // the run's first step (else an epoch's last). Returns the warning line, "" for none.
  std::string observe(const std::vector<std::pair<std::string, double>>& weight_ratios, double lr,
                      bool first_step);
  // The median of the ratios times reference_lr / lr; NaN when there is nothing to judge.
  double scaled_ratio(const std::vector<std::pair<std::string, double>>& weight_ratios,
                      double lr) const;
  // Checkpointed: the side of the band (-2 for 0, -1, 0, 1), how many epochs in a row, and the
  // side last warned about (0: none since back in the band).
  std::vector<double> state() const {
    return {double(side_), double(streak_), double(warned_side_)};
  }
  void load_state(const std::vector<double>& state);

 private:
  double reference_lr_;
  int side_ = 0, streak_ = 0, warned_side_ = 0;
};

// Every module reachable through named_children(), mapped to its dotted name ("" for the root).
std::map<const nn::Module*, std::string> module_names(const nn::Module& root);
// Whether a module of this type gets an activation histogram.
bool is_monitored_layer(const std::string& type_name);

// While alive, records the activation histograms and dead-ReLU fractions of every forward on
// this thread (a ForwardHookGuard). A module called twice in one forward gets "#2" after its
// name the second time.
class ActivationRecorder {
 public:
  explicit ActivationRecorder(const nn::Module& root);
  ~ActivationRecorder();
  ActivationRecorder(const ActivationRecorder&) = delete;
  ActivationRecorder& operator=(const ActivationRecorder&) = delete;

  const std::vector<report::Histogram>& histograms() const;
  const std::vector<std::pair<std::string, double>>& dead_relu_fraction() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Copies the run's curves (step loss, per-epoch losses, accuracies, learning rate, update
// ratios per parameter over the epochs) from `history` and the latest histograms and dead-ReLU
// fractions from `monitor` into `record`; the other fields are left as they are.
void fill_run_record(const History& history, const MonitorSnapshot& monitor,
                     report::RunRecord& record);

}  // namespace nabla::train

#pragma GCC visibility pop
