// The doctor's shared pieces: the seeded, preprocessed subset, fresh models, one training step
// with finiteness checks, host statistics, and the update-ratio probe run.
#include "train/doctor/context.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "nabla/optim/regularization.hpp"
#include "nabla/random.hpp"
#include "nabla/train/monitor.hpp"

namespace nabla::train::doctor {

namespace {

// The subset's order comes from its own stream, apart from the loader's and the splits'.
constexpr uint64_t kSubsetStream = 0xD0C7'0000'0000'0001ull;
constexpr size_t kRatioWindow = 10;

std::vector<int64_t> seeded_rows(int64_t n, int64_t take, uint64_t seed) {
  RandomStream rng(seed, kSubsetStream);
  std::vector<int64_t> order = random_permutation(n, rng);
  order.resize(static_cast<size_t>(std::min(n, take)));
  return order;
}

// The median of finite values; NaN when any is NaN (a non-finite step must not hide).
double median(std::vector<double> values) {
  if (values.empty()) return NAN;
  for (double v : values)
    if (std::isnan(v)) return NAN;
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

}  // namespace

std::string num(double value, int digits) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*g", digits, value);
  return text;
}

// Reductions run as ops (sums accumulate in double), so a large activation needs no host copy.
Moments moments(const Tensor& t) {
  Moments m;
  m.count = t.numel();
  if (m.count == 0) {
    m.mean = m.std = m.min = m.max = std::numeric_limits<double>::quiet_NaN();
    return m;
  }
  autograd::NoGradGuard no_grad;
  const Tensor x = t.detach();
  m.mean = mean(x).item();
  m.std = std::sqrt(var(x, {}, /*correction=*/0).item());
  m.min = min(x).item();
  m.max = max(x).item();
  m.finite = std::isfinite(m.mean) && std::isfinite(m.std) && non_finite_kind(x) == nullptr;
  return m;
}

namespace {
void set_dropout_eval(nn::Module& module) {
  if (module.type_name().rfind("Dropout", 0) == 0 || module.type_name() == "AlphaDropout")
    module.eval();
  for (auto& [name, child] : module.named_children())
    if (child) set_dropout_eval(*child);
}
}  // namespace

void dropout_off(nn::Module& model) {
  model.train();
  set_dropout_eval(model);
}

double group_lr(const optim::Optimizer& optimizer) {
  return optimizer.param_groups().empty() ? 0.0 : optimizer.param_groups()[0].lr();
}

void set_lr(optim::Optimizer& optimizer, double lr) {
  for (optim::ParamGroup& group : optimizer.param_groups()) group.options["lr"] = lr;
}

Context::Context(const DoctorInputs& inputs) : in(inputs), options(inputs.options) {
  const data::Dataset subset =
      in.train.subset(seeded_rows(in.train.size(), options.samples, in.seed));
  {
    autograd::NoGradGuard no_grad;
    x = in.preprocess ? in.preprocess(subset.inputs) : subset.inputs;
  }
  y = subset.targets;
  classes = in.num_classes > 0 ? in.num_classes : in.train.num_classes;
}

std::pair<Tensor, Tensor> Context::slice(int64_t start, int64_t count) const {
  start = std::min(start, rows() - 1);
  count = std::max<int64_t>(1, std::min(count, rows() - start));
  return {x.narrow(0, start, count), y.narrow(0, start, count)};
}

std::pair<Tensor, Tensor> Context::batch(int64_t index, int64_t size) const {
  size = std::min(size, rows());
  const int64_t per_pass = rows() / size;  // whole batches only, so every batch has `size` rows
  return slice((index % per_pass) * size, size);
}

std::shared_ptr<nn::Module> Context::fresh_model() const {
  manual_seed(in.seed);
  std::shared_ptr<nn::Module> model = in.make_model();
  NABLA_CHECK(model != nullptr, "doctor: make_model() returned no model");
  model->train();
  return model;
}

std::unique_ptr<optim::Optimizer> Context::optimizer_for(nn::Module& model) const {
  std::unique_ptr<optim::Optimizer> optimizer = in.make_optimizer(model);
  NABLA_CHECK(optimizer != nullptr, "doctor: make_optimizer() returned no optimizer");
  return optimizer;
}

Tensor Context::loss(const Tensor& logits, const Tensor& targets) const {
  static const LossFn fallback = cross_entropy_loss();
  return in.loss ? in.loss(logits, targets) : fallback(logits, targets);
}

Tensor Context::penalty(const nn::Module& model) const {
  Tensor total;
  for (const Regularizer& term : in.regularizers) {
    const Tensor value = term(model);
    total = total.defined() ? total + value : value;
  }
  return total;
}

StepResult Context::step(nn::Module& model, optim::Optimizer& optimizer, const Tensor& inputs,
                         const Tensor& targets, bool regularize) const {
  StepResult result;
  result.logits = model(inputs);
  const Tensor data_loss = loss(result.logits, targets);
  Tensor total = data_loss;
  if (regularize)
    if (const Tensor extra = penalty(model); extra.defined()) total = total + extra;
  result.loss = data_loss.item();
  const double total_value = total.item();
  if (!std::isfinite(total_value)) {
    result.non_finite = std::string("the loss is ") + (std::isnan(total_value) ? "NaN" : "inf");
    return result;
  }
  optimizer.zero_grad();
  total.backward();
  const nn::NamedTensors params = model.named_parameters();
  for (const auto& [name, p] : params)
    if (const char* kind = non_finite_kind(p.grad())) {
      result.non_finite = "the gradient of " + name + " is " + kind;
      return result;
    }
  if (in.clip_grad_norm > 0) optim::clip_grad_norm_(model.parameters(), in.clip_grad_norm);
  optimizer.step();
  if (in.max_norm > 0)  // the trainer's max-norm constraint, per output unit
    for (const auto& [name, p] : params)
      if (p.dim() >= 2 && p.requires_grad()) optim::apply_max_norm_(p, in.max_norm, 0);
  for (const auto& [name, p] : params)
    if (const char* kind = non_finite_kind(p)) {
      result.non_finite = "parameter " + name + " became " + kind + " in the optimizer step";
      return result;
    }
  return result;
}

std::vector<std::pair<std::string, double>> dead_relus(nn::Module& model, const Tensor& inputs) {
  const std::map<const nn::Module*, std::string> names = module_names(model);
  std::vector<std::pair<std::string, double>> dead;
  autograd::NoGradGuard no_grad;
  dropout_off(model);
  {
    nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor&, const Tensor& output) {
      if (module.type_name() != "ReLU") return;
      const auto it = names.find(&module);
      dead.emplace_back(it == names.end() || it->second.empty() ? "ReLU" : it->second,
                        dead_unit_fraction(output));
    });
    (void)model(inputs);
  }
  model.train();
  return dead;
}

namespace {

// Per tensor, the median over the last kRatioWindow steps: one step's ratio is noisy, and Adam's
// first steps move every weight by ~lr whatever its gradient (the bias correction), so the ratio
// the notes mean is the one training settles into. Also the first step's and the largest.
void summarise_ratios(const nn::NamedTensors& weights, const std::vector<std::vector<double>>& history,
                      ProbeRun& run) {
  const size_t first = history.size() > kRatioWindow ? history.size() - kRatioWindow : 0;
  for (size_t i = 0; i < weights.size(); ++i) {
    std::vector<double> window;
    for (size_t s = first; s < history.size(); ++s) window.push_back(history[s][i]);
    run.ratios.emplace_back(weights[i].first, median(window));
    run.first_ratios.emplace_back(weights[i].first, history.empty() ? NAN : history[0][i]);
    double largest = 0;
    for (const std::vector<double>& step : history)
      if (!(step[i] <= largest)) largest = step[i];  // NaN sticks
    run.max_ratios.emplace_back(weights[i].first, largest);
  }
}

}  // namespace

const ProbeRun& Context::probe() {
  if (probe_) return *probe_;
  ProbeRun run;
  std::shared_ptr<nn::Module> model = fresh_model();
  std::unique_ptr<optim::Optimizer> optimizer = optimizer_for(*model);
  std::unique_ptr<optim::LRScheduler> schedule =
      in.make_scheduler ? in.make_scheduler(*optimizer) : nullptr;
  const int64_t steps_per_epoch = (in.train.size() + in.batch_size - 1) / in.batch_size;
  const Tensor stats_inputs = stats_batch().first;
  run.first_lr = group_lr(*optimizer);
  run.dead_init = dead_relus(*model, stats_inputs);
  nn::NamedTensors weights;
  for (const auto& [name, p] : model->named_parameters())
    if (p.dim() >= 2 && p.requires_grad()) weights.emplace_back(name, p);
  std::vector<std::vector<double>> history;  // per step, per weight tensor
  for (int64_t s = 0; s < options.update_steps; ++s) {
    std::vector<Tensor> before;
    {
      autograd::NoGradGuard no_grad;
      for (const auto& [name, p] : weights) before.push_back(p.detach().clone());
    }
    const auto [inputs, targets] = batch(s, in.batch_size);
    run.lr = group_lr(*optimizer);
    const StepResult result = step(*model, *optimizer, inputs, targets, /*regularize=*/true);
    ++run.steps;
    if (schedule && (in.schedule_per_step || run.steps % steps_per_epoch == 0)) schedule->step();
    std::vector<double> ratios;
    for (size_t i = 0; i < weights.size(); ++i) ratios.push_back(update_ratio(before[i], weights[i].second));
    history.push_back(std::move(ratios));
    if (!result.non_finite.empty()) {
      run.non_finite = "update step " + std::to_string(s + 1) + ": " + result.non_finite;
      break;
    }
  }
  summarise_ratios(weights, history, run);
  run.dead_after = dead_relus(*model, stats_inputs);
  probe_ = std::move(run);
  return *probe_;
}

}  // namespace nabla::train::doctor
