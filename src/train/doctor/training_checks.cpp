// The checks that train: overfitting a small sample, the learning-rate range test, and what the
// update-ratio probe run shows (update ratios, dead ReLUs, non-finite values).
// Thresholds and their reasons: include/nabla/train/doctor.hpp.
#include <algorithm>
#include <cmath>
#include <limits>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "nabla/train/metrics.hpp"
#include "nabla/train/monitor.hpp"
#include "train/doctor/context.hpp"

namespace nabla::train::doctor {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// How well the model fits (inputs, targets), 1 at best: the accuracy (classification), the
// label accuracy (multilabel) or R² (regression).
double fit_score(data::Task task, nn::Module& model, const Tensor& inputs, const Tensor& targets) {
  autograd::NoGradGuard no_grad;
  const Tensor outputs = model(inputs);
  if (task == data::Task::regression) {
    RegressionMetrics metrics(outputs.size(1));
    metrics.add(outputs, targets);
    return metrics.r2();
  }
  const Hits hits = count_hits(task, outputs, targets);
  return static_cast<double>(hits.correct) / static_cast<double>(hits.total);
}

}  // namespace

CheckResult check_overfit(Context& c) {
  CheckResult r{.name = "overfit"};
  const data::Task task = c.in.train.task;
  const int64_t batch = std::min<int64_t>(c.in.batch_size, 32);
  const int64_t samples = std::min(c.options.overfit_batches * batch, c.rows());
  const int64_t batches = (samples + batch - 1) / batch;
  const auto [inputs, targets] = c.slice(0, samples);
  std::shared_ptr<nn::Module> model = c.fresh_model();
  dropout_off(*model);  // the notes: regularisation off, so the model can memorise
  std::unique_ptr<optim::Optimizer> optimizer = c.optimizer_for(*model);
  for (optim::ParamGroup& group : optimizer->param_groups())
    if (group.options.count("weight_decay")) group.options["weight_decay"] = 0.0;

  OverfitRun run{.samples = samples};
  for (int64_t s = 0; s < c.options.overfit_max_steps; ++s) {
    const int64_t k = s % batches;
    const int64_t rows = std::min(batch, samples - k * batch);
    const StepResult step = c.step(*model, *optimizer, inputs.narrow(0, k * batch, rows),
                                   targets.narrow(0, k * batch, rows), /*regularize=*/false);
    if (s == 0) run.first_loss = step.loss;
    run.final_loss = step.loss;
    run.steps = s + 1;
    if (!step.non_finite.empty()) {
      run.non_finite = "overfit step " + std::to_string(s + 1) + ": " + step.non_finite;
      break;
    }
    if (k == batches - 1 && (run.accuracy = fit_score(task, *model, inputs, targets)) >= 0.99) break;
  }
  if (run.non_finite.empty() && !(run.accuracy >= 0.99))
    run.accuracy = fit_score(task, *model, inputs, targets);
  if (!run.non_finite.empty()) run.accuracy = kNaN;
  c.overfit = run;

  r.numbers = {{"accuracy", run.accuracy}, {"steps", static_cast<double>(run.steps)},
               {"samples", static_cast<double>(samples)}, {"first_loss", run.first_loss},
               {"final_loss", run.final_loss}, {"lr", group_lr(*optimizer)}};
  r.summary = std::to_string(samples) + " samples (" + std::to_string(batches) + " batches of " +
              std::to_string(batch) + "), regularisation off, lr " + num(group_lr(*optimizer)) + ": ";
  if (!run.non_finite.empty()) {
    r.verdict = CheckResult::fail;
    r.summary += run.non_finite;
    r.advice = "a common rule: \"Loss explodes to Inf or NaN? LR too high, bad initialization\"";
    return r;
  }
  r.summary += (task == data::Task::regression ? "training R² " + num(run.accuracy)
                 : num(100 * run.accuracy) + (task == data::Task::multilabel
                                                   ? "% training label accuracy"
                                                   : "% training accuracy")) +
               " after " + std::to_string(run.steps) + " steps, loss " + num(run.first_loss) +
               " -> " + num(run.final_loss);
  r.verdict = run.accuracy >= 0.99 ? CheckResult::pass
              : run.accuracy >= 0.9 ? CheckResult::warn
                                    : CheckResult::fail;
  if (r.verdict != CheckResult::pass)
    r.advice = run.final_loss > run.first_loss
                   ? "the loss rises: the learning rate is too high (a common rule: \"Loss explodes "
                     "to Inf or NaN? LR too high, bad initialization\")"
               : run.final_loss < run.first_loss * 0.5
                   ? "the loss falls but too slowly to memorise: a higher learning rate or a "
                     "larger model"
                   : "a common rule: \"Loss not going down? LR too low, bad initialization\"; a model "
                     "that cannot memorise a few batches has a bug or cannot learn at all";
  return r;
}

namespace {

// Centred moving average over `half` neighbours each side (fewer at the ends): no lag, so the
// steepest point stays where it is.
std::vector<double> smooth(const std::vector<double>& values, int64_t half) {
  const auto n = static_cast<int64_t>(values.size());
  std::vector<double> out(values.size());
  for (int64_t i = 0; i < n; ++i) {
    const int64_t lo = std::max<int64_t>(0, i - half), hi = std::min(n - 1, i + half);
    double sum = 0;
    for (int64_t j = lo; j <= hi; ++j) sum += values[static_cast<size_t>(j)];
    out[static_cast<size_t>(i)] = sum / static_cast<double>(hi - lo + 1);
  }
  return out;
}

struct Sweep {
  std::vector<double> lrs, losses;  // finite losses only; the sweep stops at the first other
  bool blew_up = false;             // stopped on a non-finite or 10x-initial loss
};

Sweep sweep(Context& c) {
  std::shared_ptr<nn::Module> model = c.fresh_model();
  std::unique_ptr<optim::Optimizer> optimizer = c.optimizer_for(*model);
  const DoctorOptions& o = c.options;
  Sweep s;
  for (int64_t i = 0; i < o.lr_steps; ++i) {
    const double lr = o.lr_min * std::pow(o.lr_max / o.lr_min, static_cast<double>(i) /
                                                                 static_cast<double>(o.lr_steps - 1));
    set_lr(*optimizer, lr);
    const auto [inputs, targets] = c.batch(i, c.in.batch_size);
    const StepResult step = c.step(*model, *optimizer, inputs, targets, /*regularize=*/true);
    if (!step.non_finite.empty() || !std::isfinite(step.loss) ||
        (!s.losses.empty() && step.loss > 10 * s.losses[0])) {
      s.lrs.push_back(lr);  // where it blew up; no loss for it
      s.blew_up = true;
      break;
    }
    s.lrs.push_back(lr);
    s.losses.push_back(step.loss);
  }
  return s;
}

}  // namespace

namespace {

struct Range {
  std::vector<double> smoothed;
  size_t lowest = 0;          // index of the smoothed minimum
  double steepest_lr = 0;     // where the smoothed loss falls fastest per decade
  double divergence_lr = kNaN;
};

Range analyse(const Sweep& s) {
  Range r;
  r.smoothed = smooth(s.losses, 3);
  const std::vector<double>& y = r.smoothed;
  const size_t n = y.size();
  size_t end = n;  // the first point past the divergence, or n
  for (size_t i = 1; i < n; ++i) {
    if (y[i] > 4 * y[r.lowest]) {
      r.divergence_lr = s.lrs[i];
      end = i;
      break;
    }
    if (y[i] < y[r.lowest]) r.lowest = i;
  }
  if (end == n && s.blew_up) r.divergence_lr = s.lrs.back();
  // Steepest descent per decade, before the minimum (after it the loss only rises).
  size_t steepest = 0;
  double best_slope = INFINITY;
  for (size_t i = 1; i < std::min(r.lowest + 1, n - 1); ++i) {
    const double slope = (y[i + 1] - y[i - 1]) / std::log10(s.lrs[i + 1] / s.lrs[i - 1]);
    if (slope < best_slope) best_slope = slope, steepest = i;
  }
  r.steepest_lr = s.lrs[steepest];
  return r;
}

// "smoothed loss by lr: 1e-05 2.3, 0.0001 2.16, ..." at each decade the sweep reached.
std::string curve(const Sweep& s, const Range& range, const DoctorOptions& options) {
  std::string line = "smoothed loss by lr:";
  const char* separator = " ";
  for (double decade = options.lr_min; decade <= options.lr_max * 1.0001; decade *= 10) {
    size_t at = 0;  // the last step at or below this decade
    while (at + 1 < s.losses.size() && s.lrs[at + 1] <= decade * 1.0001) ++at;
    if (s.lrs[at] < decade / 1.5) break;  // the sweep stopped before this decade
    line += separator + num(decade, 1) + " " + num(range.smoothed[at]);
    separator = ", ";
  }
  return line;
}

}  // namespace

CheckResult check_lr_range(Context& c) {
  CheckResult r{.name = "lr_range"};
  const double configured = group_lr(*c.optimizer_for(*c.fresh_model()));
  const Sweep s = sweep(c);
  if (s.losses.size() < 5) {
    r.verdict = CheckResult::fail;
    r.summary = "the loss blew up within " + std::to_string(s.lrs.size()) + " steps from lr " +
                num(c.options.lr_min);
    r.advice = "even tiny learning rates diverge: check the initialisation and the inputs' scale";
    return r;
  }
  const Range range = analyse(s);
  const double start = range.smoothed[0], low = range.smoothed[range.lowest];
  const double steepest = range.steepest_lr, divergence = range.divergence_lr;
  r.numbers = {{"steepest_lr", steepest}, {"divergence_lr", divergence},
               {"configured_lr", configured}, {"start_loss", start}, {"min_loss", low},
               {"min_loss_lr", s.lrs[range.lowest]}, {"steps", static_cast<double>(s.lrs.size())}};
  r.details.push_back(curve(s, range, c.options));
  r.summary = "sweep " + num(c.options.lr_min) + " to " + num(c.options.lr_max) + " over " +
              std::to_string(s.lrs.size()) + " steps: loss " + num(start) + " -> " + num(low) +
              ", falls fastest at lr " + num(steepest, 2) + ", " +
              (std::isnan(divergence) ? "no divergence" : "diverges at lr " + num(divergence, 2)) +
              "; configured lr " + num(configured);
  if (!(low < 0.9 * start)) {
    r.verdict = CheckResult::fail;
    r.summary += ": the loss never falls";
    r.advice = "no learning rate makes the loss drop: check the initialisation (all zeros?), "
               "the labels and that gradients reach the weights (gradcheck)";
  } else if (!std::isnan(divergence) && configured >= divergence) {
    r.verdict = CheckResult::fail;
    r.summary += ": the configured lr is past the divergence point";
    r.advice = "set optimizer.lr near " + num(steepest, 2) + " (below " + num(divergence, 2) + ")";
  } else if (configured > 10 * steepest || configured < steepest / 100) {
    r.verdict = CheckResult::warn;
    r.advice = "optimizer.lr is far from where the loss falls fastest; try around " + num(steepest, 2) +
               (configured > c.options.lr_max ? " (the configured rate is above the sweep)" : "");
  }
  return r;
}

namespace {

CheckResult::Verdict ratio_verdict(double ratio) {
  if (ratio >= kUpdateRatioLow && ratio <= kUpdateRatioHigh) return CheckResult::pass;
  if (ratio >= 1e-5 && ratio <= 1e-1) return CheckResult::warn;
  return CheckResult::fail;  // NaN too
}

}  // namespace

CheckResult check_update_ratio(Context& c) {
  CheckResult r{.name = "update_ratio"};
  const ProbeRun& probe = c.probe();
  if (probe.ratios.empty()) {
    r.verdict = CheckResult::skipped;
    r.summary = "no trainable weight tensor (dim >= 2)";
    return r;
  }
  double low = INFINITY, high = -INFINITY, jump = 0;
  std::string low_name, high_name, jump_name;
  r.verdict = CheckResult::pass;
  for (size_t i = 0; i < probe.ratios.size(); ++i) {
    const auto& [name, ratio] = probe.ratios[i];
    const double largest = probe.max_ratios[i].second;
    r.numbers[name] = ratio;
    r.numbers[name + ".first_step"] = probe.first_ratios[i].second;
    r.numbers[name + ".largest_step"] = largest;
    r.details.push_back(name + ": " + num(ratio, 2) + " (first step " +
                        num(probe.first_ratios[i].second, 2) + ", largest " + num(largest, 2) + ")");
    const CheckResult::Verdict v = ratio_verdict(ratio);
    if (v == CheckResult::fail || (v == CheckResult::warn && r.verdict == CheckResult::pass)) r.verdict = v;
    if (!(ratio >= low)) low = ratio, low_name = name;
    if (!(ratio <= high)) high = ratio, high_name = name;
    if (!(largest <= jump)) jump = largest, jump_name = name;
  }
  r.numbers["min"] = low;
  r.numbers["max"] = high;
  r.numbers["largest_step"] = jump;
  r.summary = "||dw||/||w|| (median of steps " + std::to_string(std::max<int64_t>(1, probe.steps - 9)) +
              "-" + std::to_string(probe.steps) + ", lr " +
              (probe.first_lr == probe.lr ? num(probe.lr) : num(probe.first_lr) + " to " + num(probe.lr)) +
              "): " + num(low, 2) + " (" +
              low_name + ") to " + num(high, 2) + " (" + high_name + "); ~1e-3 is healthy";
  if (!(jump <= 1.0)) {  // one step moved a tensor by more than its own norm
    r.verdict = CheckResult::fail;
    r.summary += "; one step changed " + jump_name + " by " + num(jump, 2) + "x its norm";
  }
  if (!probe.non_finite.empty()) r.summary += "; " + probe.non_finite;
  if (r.verdict != CheckResult::pass)
    r.advice = !(high <= kUpdateRatioHigh) || !(jump <= 1.0)
                   ? "updates are too large for the weights: lower optimizer.lr (the ratio scales with it)"
                   : high == 0 ? "the weights do not move: they get no gradient (see activations "
                                 "and gradcheck)"
                               : "updates are too small to move the weights: raise optimizer.lr";
  return r;
}

CheckResult check_dead_relu(Context& c) {
  CheckResult r{.name = "dead_relu"};
  const ProbeRun& probe = c.probe();
  if (probe.dead_init.empty()) {
    r.verdict = CheckResult::skipped;
    r.summary = "no ReLU modules";
    return r;
  }
  double worst = 0;
  std::string worst_name;
  for (size_t i = 0; i < probe.dead_init.size(); ++i) {
    const auto& [name, before] = probe.dead_init[i];
    const double after = i < probe.dead_after.size() ? probe.dead_after[i].second : kNaN;
    r.numbers[name + ".init"] = before;
    r.numbers[name + ".after"] = after;
    r.details.push_back(name + ": " + num(100 * before) + "% dead at initialisation, " +
                        num(100 * after) + "% after " + std::to_string(probe.steps) + " steps");
    for (double f : {before, after})
      if (!(f <= worst)) worst = f, worst_name = name;
  }
  r.numbers["max"] = worst;
  r.summary = std::to_string(probe.dead_init.size()) + " ReLU module" +
              (probe.dead_init.size() == 1 ? "" : "s") + "; worst " + worst_name + " with " +
              num(100 * worst) + "% of its units never active on " +
              std::to_string(c.stats_batch().first.size(0)) + " samples";
  r.verdict = worst <= 0.25 ? CheckResult::pass : worst <= 0.5 ? CheckResult::warn : CheckResult::fail;
  if (r.verdict != CheckResult::pass)
    r.advice = "dead units pass no gradient: a lower learning rate (large updates kill them), "
               "He initialisation, or leaky_relu";
  return r;
}

namespace {

// The first module whose output is non-finite in one forward at initialisation, or "".
std::string non_finite_at_init(Context& c) {
  std::shared_ptr<nn::Module> model = c.fresh_model();
  dropout_off(*model);
  const auto [inputs, targets] = c.stats_batch();
  std::string found;
  if (const std::optional<NonFiniteModule> culprit = first_non_finite_module(*model, inputs))
    found = "the output of " + (culprit->name.empty() ? culprit->type : culprit->name) + " (" +
            culprit->type + ") is " + culprit->kind + " at initialisation";
  autograd::NoGradGuard no_grad;
  const Tensor loss = c.loss((*model)(inputs), targets);
  if (found.empty())
    if (const char* kind = non_finite_kind(loss)) found = std::string("the initial loss is ") + kind;
  return found;
}

}  // namespace

CheckResult check_non_finite(Context& c) {
  CheckResult r{.name = "non_finite"};
  std::string where = non_finite_at_init(c);
  const ProbeRun& probe = c.probe();
  if (where.empty()) where = probe.non_finite;
  std::string scope = "forward at initialisation, " + std::to_string(probe.steps) + " update steps";
  if (c.overfit) {
    if (where.empty()) where = c.overfit->non_finite;
    scope += ", " + std::to_string(c.overfit->steps) + " overfit steps";
  }
  r.numbers["found"] = where.empty() ? 0.0 : 1.0;
  if (where.empty()) {
    r.summary = "no NaN or inf in the " + scope;
    return r;
  }
  r.verdict = CheckResult::fail;
  r.summary = where;
  r.advice = "a common rule: \"Watch out for NaN! Error? Too high learning rate?\" Lower optimizer.lr, "
             "normalise the inputs, or clip gradients (regularization.clip_grad_norm)";
  return r;
}

}  // namespace nabla::train::doctor
