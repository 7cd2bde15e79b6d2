// One training step, the NaN guard around it, and the monitor taken on an epoch's last step.
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <optional>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "nabla/optim/regularization.hpp"
#include "format.hpp"
#include "train/path_loss.hpp"
#include "trainer_state.hpp"

namespace nabla::train {

bool Trainer::State::train_step(const detail::StagedBatch& batch, int64_t batches) {
  nn::Module& model = *self.model_;
  if (!model.is_training()) model.train();  // a callback may have evaluated
  // An epoch's last step; on the run's first step only the update ratios, for the warning (an
  // lr far too high shows at once there), not for the epoch's record.
  const bool monitor_now = self.options_.monitor && batches_done == batches - 1;
  const bool first_step = self.options_.monitor && global_step == 0 && !monitor_now;
  const Tensor& inputs = batch.inputs();  // transformed on the host, on the model's device
  const Tensor& targets = batch.targets();
  // A hierarchical softmax output trains on its targets' paths only, without logits for every
  // class: no training accuracy then (NaN).
  const std::optional<detail::PathLossModel> path_loss = detail::PathLossModel::of(model);
  Tensor logits, data_loss, total;
  {
    const PrecisionScope autocast(self.options_.precision);  // forward and loss, not backward
    const auto forward_and_loss = [&] {
      if (path_loss) {
        data_loss = path_loss->loss(inputs, targets);
      } else {
        logits = model(inputs);
        data_loss = loss(logits, targets);
      }
    };
    if (monitor_now) {
      ActivationRecorder recorder(model);
      forward_and_loss();
      monitor.activation_histograms = recorder.histograms();
      monitor.dead_relu_fraction = recorder.dead_relu_fraction();
    } else {
      forward_and_loss();
    }
    total = data_loss;
    for (const Regularizer& regularizer : regularizers) total = total + regularizer(model);
  }
  self.optimizer_->zero_grad();
  (scaling() ? scaler->scale(total) : total).backward();
  // Unscaled first: the NaN guard and clip_grad_norm must see the true gradients (torch's
  // recipe calls scaler.unscale_(optimizer) before clip_grad_norm_).
  if (scaling()) scaler->unscale_(*self.optimizer_);
  const double loss_value = data_loss.item();
  if (!check_after_backward(inputs, total.item())) return false;
  // An overflowed step is skipped by scaler.step; clipping its inf gradients would be wasted.
  const bool overflow = scaling() && scaler->found_inf(*self.optimizer_);
  if (self.options_.clip_grad_norm > 0 && !overflow)
    optim::clip_grad_norm_(model.parameters(), self.options_.clip_grad_norm);
  // A skipped step changes no weight: no histograms of its inf gradients, and no update ratios
  // (they would read 0, "learning rate too low").
  if ((monitor_now || first_step) && !overflow) monitor_before_step(monitor_now);
  const double lr = group0_lr();
  optimizer_step();
  if (!check_parameters_after_step()) return false;
  if ((monitor_now || first_step) && !overflow) monitor_after_step(lr, first_step);
  // A step the scaler skipped still counts (global step, per-step schedule, step lines): torch's
  // usual loop calls scheduler.step() after scaler.step() whether or not the optimizer ran.
  if (scheduler && self.options_.schedule_per_step) scheduler->step();

  const int64_t batch_size = batch.host().inputs.size(0);
  sums.loss += loss_value * static_cast<double>(batch_size);
  sums.samples += batch_size;
  if (logits.defined()) {
    const Hits hits = count_hits(self.options_.task, logits.detach(), batch.host().targets);
    sums.correct += hits.correct;
    sums.decisions += hits.total;
  }
  sums.last_lr = lr;
  ++batches_done;
  ++global_step;
  after_step_outputs(batch_size, loss_value, lr, batches);
  return true;
}

// scaler.step + scaler.update with f16 loss scaling (the optimizer does not run when a gradient
// is inf / NaN), else optimizer.step(); then the max-norm constraint, on a step that ran only, so
// a skipped step leaves the weights exactly as they were.
void Trainer::State::optimizer_step() {
  if (scaling()) {
    scaler->step(*self.optimizer_);
    const bool skipped = scaler->found_inf(*self.optimizer_);  // update() forgets it
    scaler->update();
    if (skipped) {
      ++sums.skipped;
      return;
    }
  } else {
    self.optimizer_->step();
  }
  if (self.options_.max_norm > 0)  // the notes' max-norm constraint, per output unit
    for (const Tensor& p : self.model_->parameters())
      if (p.dim() >= 2 && p.requires_grad()) optim::apply_max_norm_(p, self.options_.max_norm, 0);
}

void Trainer::State::after_step_outputs(int64_t batch_size, double loss_value, double lr,
                                        int64_t batches) {
  history.step_loss.emplace_back(
      static_cast<double>(next_epoch) + static_cast<double>(batches_done) / batches, loss_value);
  history.step_lr.push_back(lr);
  output().batch_end(batches_done, batch_size, sums.loss / sums.samples);
  for (const auto& callback : callbacks) callback->on_batch_end(self, global_step, loss_value);
  const TrainerOptions& options = self.options_;
  if (options.log_every_steps > 0 && global_step % options.log_every_steps == 0)
    log.step(next_epoch + 1, global_step, loss_value, lr, loss_scale());
  if (options.checkpoint_every_steps > 0 && global_step % options.checkpoint_every_steps == 0 &&
      !path_in_run("checkpoint").empty())
    save("");
}

// The loss and every gradient must be finite; otherwise finds the cause and stops. With loss
// scaling, non-finite gradients of a finite loss are the scaler's: it skips the step.
bool Trainer::State::check_after_backward(const Tensor& inputs, double total_loss) {
  const bool loss_finite = std::isfinite(total_loss);
  std::string bad_gradient;
  for (const auto& [name, param] : parameters)
    if (const char* kind = scaling() ? nullptr : non_finite_kind(param.grad())) {
      bad_gradient = "the gradient of " + name + " is " + kind;
      break;
    }
  if (loss_finite && bad_gradient.empty()) return true;
  for (const auto& [name, param] : parameters)
    if (const char* kind = non_finite_kind(param)) {
      stop_non_finite("parameter " + name + " is " + kind);
      return false;
    }
  if (loss_finite) {
    stop_non_finite(bad_gradient);
    return false;
  }
  stop_non_finite("the loss is " + std::string(std::isnan(total_loss) ? "NaN" : "inf") + "; " +
                  first_non_finite_layer(inputs) + "; " + largest_parameter());
  return false;
}

// "the largest |parameter| is 3.1e+18 (in 2.weight)": finite weights that have exploded.
std::string Trainer::State::largest_parameter() const {
  double largest = 0.0;
  std::string where;
  autograd::NoGradGuard no_grad;
  for (const auto& [name, param] : parameters) {
    if (!param.defined() || param.numel() == 0 || !is_floating(param.dtype())) continue;
    const double value = max(abs(param.detach())).item();
    if (value > largest || where.empty()) largest = value, where = name;
  }
  return where.empty() ? "the model has no parameters"
                       : "the largest |parameter| is " + detail::format_number(largest) + " (in " + where + ")";
}

bool Trainer::State::check_parameters_after_step() {
  for (const auto& [name, param] : parameters)
    if (const char* kind = non_finite_kind(param)) {
      stop_non_finite("parameter " + name + " became " + kind + " in the optimizer step");
      return false;
    }
  return true;
}

// Re-runs the failing batch's forward under a hook: which module first gave a non-finite output.
std::string Trainer::State::first_non_finite_layer(const Tensor& inputs) {
  const std::optional<NonFiniteModule> culprit = first_non_finite_module(*self.model_, inputs);
  std::string found;
  if (culprit)
    found = (culprit->name.empty() ? "" : culprit->name + " ") + "(" + culprit->type + "), output " +
            culprit->kind;
  std::string text;
  if (const char* kind = non_finite_kind(inputs))
    text = "the inputs hold " + std::string(kind) + " values (check the data); ";
  return text + (found.empty() ? "every layer's output is finite, so the loss function made it "
                                 "(check the targets)"
                               : "the first layer with a non-finite output is " + found);
}

void Trainer::State::stop_non_finite(const std::string& reason) {
  const std::string where = "epoch " + std::to_string(next_epoch + 1) + ", step " +
                            std::to_string(global_step + 1);
  history.stop_kind = StopKind::non_finite;
  history.stop_reason = "non-finite values at " + where + ": " + reason;
  // The scaler forgets the abandoned step's unscale_, so a resume() and fit() start clean.
  if (scaling()) scaler->update(scaler->get_scale());
  self.message("NaN guard: training stopped at " + where + ": " + reason +
               ".\n  Try: lower the learning rate (now " + detail::format_number(group0_lr()) +
               "), check the inputs are normalised, add gradient clipping. No checkpoint was "
               "written for this state.");
}

void Trainer::State::monitor_before_step(bool histograms) {
  autograd::NoGradGuard no_grad;
  if (histograms) monitor.gradient_histograms.clear();
  weights_before.clear();
  for (const auto& [name, param] : parameters) {
    const Tensor grad = param.grad();
    if (!grad.defined()) continue;  // frozen or unused: the step leaves it alone
    if (histograms) monitor.gradient_histograms.push_back(histogram(name, grad));
    weights_before.emplace_back(name, param.detach().clone());
  }
}

void Trainer::State::monitor_after_step(double lr, bool first_step) {
  std::vector<std::pair<std::string, double>> ratios, weights;
  size_t next = 0;  // weights_before follows `parameters`' order
  for (const auto& [name, param] : parameters) {
    if (next == weights_before.size()) break;
    if (weights_before[next].first != name) continue;
    ratios.emplace_back(name, update_ratio(weights_before[next].second, param));
    if (param.dim() >= 2) weights.push_back(ratios.back());
    ++next;
  }
  weights_before.clear();
  const std::string warning = ratio_check.observe(weights, lr, first_step);
  if (!warning.empty()) ratio_warning = warning;  // printed after the epoch line
  if (first_step) return;
  monitor.update_ratio = std::move(ratios);
  monitor.epoch = next_epoch + 1;
  monitor.step = global_step + 1;
  monitor.warning = warning;
}

}  // namespace nabla::train
