// What the doctor's checks share: the preprocessed subset, fresh models, the training step they
// all take, the host statistics they read, and the runs more than one check reads (the
// update-ratio probe feeds update_ratio, dead_relu and non_finite). Private to src/train/doctor.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "nabla/train/doctor.hpp"
#include "nabla/train/monitor.hpp"

namespace nabla::train::doctor {

// Mean, population std, min and max of a tensor's elements, in float64 (NaN when empty).
struct Moments {
  double mean = 0, std = 0, min = 0, max = 0;
  int64_t count = 0;
  bool finite = true;  // every element finite
};
Moments moments(const Tensor& t);

// Training mode for the whole model except dropout modules (eval: the identity), so checks that
// need a deterministic or unregularised forward keep batch norm's training behaviour.
void dropout_off(nn::Module& model);

// Learning rate of group 0 and a setter for every group.
double group_lr(const optim::Optimizer& optimizer);
void set_lr(optim::Optimizer& optimizer, double lr);

// One step's outcome: the data loss (without regularisers) and the first non-finite value met
// ("" when none): in the loss, a gradient or, after the step, a parameter.
struct StepResult {
  double loss = 0;
  Tensor logits;
  std::string non_finite;
};

struct ProbeRun {  // update_steps steps at the configured settings
  // Weight tensors: the median ||Δw||/||w|| of the last 10 steps, the first step's, the largest.
  std::vector<std::pair<std::string, double>> ratios, first_ratios, max_ratios;
  std::vector<std::pair<std::string, double>> dead_init, dead_after;  // per ReLU module
  std::string non_finite;  // "" or where the first NaN/inf appeared
  int64_t steps = 0;
  double first_lr = 0, lr = 0;  // the rates of the first and the last step
};

struct OverfitRun {
  double accuracy = 0, final_loss = 0, first_loss = 0;
  int64_t steps = 0, samples = 0;
  std::string non_finite{};
};

class Context {
 public:
  explicit Context(const DoctorInputs& inputs);

  const DoctorInputs& in;
  const DoctorOptions& options;
  Tensor x, y;          // the preprocessed subset, rows in a seeded order
  int64_t classes = 0;

  int64_t rows() const { return x.size(0); }
  // Rows [start, start + count) (clamped), and batch `index` of `size` rows cycling the subset.
  std::pair<Tensor, Tensor> slice(int64_t start, int64_t count) const;
  std::pair<Tensor, Tensor> batch(int64_t index, int64_t size) const;
  std::pair<Tensor, Tensor> stats_batch() const { return slice(0, options.stats_batch); }

  std::shared_ptr<nn::Module> fresh_model() const;  // manual_seed(seed), make_model()
  std::unique_ptr<optim::Optimizer> optimizer_for(nn::Module& model) const;
  Tensor loss(const Tensor& logits, const Tensor& targets) const;
  // Σ regularisers (undefined when there are none).
  Tensor penalty(const nn::Module& model) const;
  // forward, loss (+ regularisers when `regularize`), zero_grad, backward, step, with the
  // finiteness checks of StepResult.
  StepResult step(nn::Module& model, optim::Optimizer& optimizer, const Tensor& inputs,
                  const Tensor& targets, bool regularize) const;

  const ProbeRun& probe();  // run once, on first use
  std::optional<OverfitRun> overfit;  // set by the overfit check when it ran

 private:
  std::optional<ProbeRun> probe_;
};

// Dead-unit fraction of every ReLU module's output for one forward (no grad), by module name.
std::vector<std::pair<std::string, double>> dead_relus(nn::Module& model, const Tensor& inputs);

// %g with `digits` significant digits.
std::string num(double value, int digits = 3);

// The checks, one function each (data_checks.cpp, gradient_check.cpp, training_checks.cpp).
CheckResult check_inputs(Context& context);
CheckResult check_activations(Context& context);
CheckResult check_initial_loss(Context& context);
CheckResult check_regularization(Context& context);
CheckResult check_gradients(Context& context);
CheckResult check_overfit(Context& context);
CheckResult check_lr_range(Context& context);
CheckResult check_update_ratio(Context& context);
CheckResult check_dead_relu(Context& context);
CheckResult check_non_finite(Context& context);

}  // namespace nabla::train::doctor
