// The checks on one batch at initialisation: inputs, activations, initial loss, regularisation.
// Thresholds and their reasons: include/nabla/train/doctor.hpp.
#include <algorithm>
#include <cmath>
#include <numbers>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "nabla/optim/regularization.hpp"
#include "nabla/train/monitor.hpp"
#include "train/doctor/context.hpp"

namespace nabla::train::doctor {

namespace {

using Verdict = CheckResult::Verdict;

Verdict worse(Verdict a, Verdict b) {
  auto rank = [](Verdict v) { return v == CheckResult::fail ? 2 : v == CheckResult::warn ? 1 : 0; };
  return rank(a) >= rank(b) ? a : b;
}

// Statistics of one input unit (a feature, or a channel over all its positions).
struct Unit {
  double mean = 0, std = 0, max_abs = 0;
};

// Per unit: statistics over dim 0 and every dim after 1, as ops on a [units, rows] view.
std::vector<Unit> unit_statistics(const Tensor& x) {
  autograd::NoGradGuard no_grad;
  const int64_t n = x.size(0);
  const int64_t units = x.dim() == 1 ? 1 : x.size(1);
  const Tensor t = x.reshape({n, units, -1}).transpose(0, 1).reshape({units, -1});
  const std::vector<double> means = mean(t, 1).to_vector<double>();
  const std::vector<double> vars = var(t, 1, /*correction=*/0).to_vector<double>();
  const std::vector<double> max_abs = max(abs(t), 1).first.to_vector<double>();
  std::vector<Unit> out;
  for (size_t u = 0; u < means.size(); ++u) out.push_back({means[u], std::sqrt(vars[u]), max_abs[u]});
  return out;
}

// The notes' two accepted scales: std ~1, or values within [-1, 1].
bool scale_ok(const Unit& u) {
  return (u.std >= 0.5 && u.std <= 2.0) || (u.max_abs <= 1.1 && u.max_abs >= 0.5);
}

}  // namespace

CheckResult check_inputs(Context& c) {
  CheckResult r{.name = "inputs"};
  if (const char* kind = non_finite_kind(c.x)) {
    r.verdict = CheckResult::fail;
    r.summary = std::string("the preprocessed inputs hold ") + kind + " values";
    r.advice = "check the data files and the preprocessing (a std of 0 divides by zero)";
    return r;
  }
  const std::string unit_word = c.x.dim() <= 2 ? "feature" : "channel";
  const std::vector<Unit> units = unit_statistics(c.x);
  const Moments all = moments(c.x);
  double worst_centring = 0, min_std = INFINITY, max_std = 0;
  int64_t worst_unit = 0, constant = 0;
  Verdict scale = CheckResult::pass;
  for (size_t u = 0; u < units.size(); ++u) {
    const Unit& unit = units[u];
    if (unit.std <= 1e-12 * std::max(1.0, std::abs(unit.mean))) {
      ++constant;  // a constant input carries no information and no gradient asymmetry
      continue;
    }
    const double centring = std::abs(unit.mean) / unit.std;
    if (centring > worst_centring) worst_centring = centring, worst_unit = static_cast<int64_t>(u);
    min_std = std::min(min_std, unit.std);
    max_std = std::max(max_std, unit.std);
    if (!scale_ok(unit))
      scale = worse(scale, unit.std < 0.1 || unit.std > 10 ? CheckResult::fail : CheckResult::warn);
  }
  const Verdict centring = worst_centring > 0.5   ? CheckResult::fail
                           : worst_centring > 0.1 ? CheckResult::warn
                                                  : CheckResult::pass;
  r.verdict = worse(centring, scale);
  r.numbers = {{"mean", all.mean}, {"std", all.std}, {"max_abs", std::max(std::abs(all.min), std::abs(all.max))},
               {"units", static_cast<double>(units.size())}, {"constant_units", static_cast<double>(constant)},
               {"worst_abs_mean_over_std", worst_centring}, {"min_unit_std", min_std}, {"max_unit_std", max_std}};
  r.summary = "mean " + num(all.mean) + ", std " + num(all.std) + " over " +
              std::to_string(units.size()) + " " + unit_word + (units.size() == 1 ? "" : "s") +
              "; worst |mean|/std " + num(worst_centring) + " (" + unit_word + " " +
              std::to_string(worst_unit) + "), " + unit_word + " std " + num(min_std) + " to " + num(max_std);
  if (centring != CheckResult::pass) r.summary += ": not centred";
  if (scale != CheckResult::pass) r.summary += centring != CheckResult::pass ? " nor scaled" : ": not scaled";
  if (constant > 0) r.details.push_back(std::to_string(constant) + " constant " + unit_word + "(s) skipped");
  if (r.verdict != CheckResult::pass)
    r.advice = std::string("add [[preprocess.steps]] kind = \"standardize\"") +
               (unit_word == "channel" ? " (mode = \"per_channel\" or \"global\")" : "") +
               ": zero mean and unit variance per input variable, fitted on the "
               "training split; inputs on one side of zero make a unit's weight gradients share "
               "one sign (zig-zag descent), unequal scales stretch the loss surface";
  return r;
}

namespace {

struct LayerStats {
  std::string name;
  std::string type;
  Moments m;
  double saturated = 0;  // tanh / sigmoid: fraction of outputs in the flat tails
};

// tanh beyond ±0.99, sigmoid outside [0.01, 0.99]: the flat tails where the gradient is ~0.
double saturated_fraction(const std::string& type, const Tensor& output) {
  if ((type != "Tanh" && type != "Sigmoid") || output.numel() == 0) return 0.0;
  const Tensor distance = type == "Tanh" ? abs(output) : abs(output - 0.5);
  const Tensor flat = gt(distance, full_like(distance, type == "Tanh" ? 0.99 : 0.49));
  return mean(flat.to(DType::f32)).item();
}

std::vector<LayerStats> record_layers(nn::Module& model, const Tensor& inputs) {
  const std::map<const nn::Module*, std::string> names = module_names(model);
  std::map<const nn::Module*, int> calls;
  std::vector<LayerStats> layers;
  autograd::NoGradGuard no_grad;
  nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor&, const Tensor& output) {
    if (!is_monitored_layer(module.type_name()) || !output.defined() || !is_floating(output.dtype()))
      return;
    const auto it = names.find(&module);
    std::string name = it == names.end() || it->second.empty() ? module.type_name() : it->second;
    if (const int call = ++calls[&module]; call > 1) name += "#" + std::to_string(call);
    layers.push_back({name, module.type_name(), moments(output),
                      saturated_fraction(module.type_name(), output)});
  });
  (void)model(inputs);
  return layers;
}

}  // namespace

CheckResult check_activations(Context& c) {
  CheckResult r{.name = "activations"};
  std::shared_ptr<nn::Module> model = c.fresh_model();
  dropout_off(*model);
  const Tensor inputs = c.stats_batch().first;
  const double input_std = moments(inputs).std;
  const std::vector<LayerStats> layers = record_layers(*model, inputs);
  if (layers.empty()) {
    r.verdict = CheckResult::skipped;
    r.summary = "no Linear, Conv2d, activation or batch-norm module to watch";
    return r;
  }
  r.numbers["input.std"] = input_std;
  const double reference = input_std > 0 ? input_std : 1.0;
  double previous = input_std, lowest = INFINITY, highest = 0;
  std::string problem, jump, saturation;
  for (const LayerStats& layer : layers) {
    const double ratio = layer.m.std / reference;
    lowest = std::min(lowest, ratio), highest = std::max(highest, ratio);
    r.numbers[layer.name + ".mean"] = layer.m.mean;
    r.numbers[layer.name + ".std"] = layer.m.std;
    r.details.push_back(layer.name + " (" + layer.type + "): mean " + num(layer.m.mean) + ", std " +
                        num(layer.m.std) +
                        (layer.saturated > 0 ? ", saturated " + num(100 * layer.saturated) + "%" : ""));
    if (!problem.empty()) continue;  // report the first failing layer
    if (!layer.m.finite)
      problem = layer.name + " outputs non-finite values";
    else if (ratio <= 1e-7)
      problem = layer.name + " (" + layer.type + ") outputs a constant " + num(layer.m.mean) +
                " for every input: all-zero or constant weights, nothing can break the symmetry";
    else if (ratio < 1e-3)
      problem = layer.name + " activations vanish (std " + num(layer.m.std) + ", " + num(ratio) + "x the input's)";
    else if (ratio > 1e3)
      problem = layer.name + " activations explode (std " + num(layer.m.std) + ", " + num(ratio) + "x the input's)";
    if (layer.saturated > 0.5 && saturation.empty())
      saturation = layer.name + " is " + num(100 * layer.saturated) + "% saturated";
    const bool normalises = layer.type.rfind("BatchNorm", 0) == 0;
    if (!normalises && previous > 0 && jump.empty() &&
        (layer.m.std > 10 * previous || layer.m.std < previous / 10))
      jump = layer.name + "'s std is " + num(layer.m.std / previous) + "x the layer's before";
    previous = layer.m.std;
  }
  r.numbers["min_std_over_input_std"] = lowest;
  r.numbers["max_std_over_input_std"] = highest;
  r.summary = std::to_string(layers.size()) + " layers, std " + num(lowest) + "x to " + num(highest) +
              "x the input's (" + num(input_std) + ")";
  if (!problem.empty()) {
    r.verdict = CheckResult::fail;
    r.summary += ": " + problem;
    r.advice = "initialise for the activation: model.init = \"kaiming_normal\" for ReLU "
               "(He: std sqrt(2/fan_in)), \"xavier_normal\" for tanh (std sqrt(1/fan_in)); "
               "never all zeros or constants";
  } else if (!saturation.empty() || !jump.empty()) {
    r.verdict = CheckResult::warn;
    r.summary += ": " + (saturation.empty() ? jump : saturation);
    r.advice = saturation.empty() ? "check the initialisation scale of that layer (He for ReLU, Xavier for tanh), "
                                    "or add batch normalisation"
                                  : "saturated tanh/sigmoid units pass almost no gradient: smaller initial "
                                    "weights (xavier_normal) or normalised inputs";
  }
  return r;
}

CheckResult check_initial_loss(Context& c) {
  CheckResult r{.name = "initial_loss"};
  const data::Task task = c.in.train.task;
  if (task == data::Task::regression) {
    r.verdict = CheckResult::skipped;
    r.summary = "a regression loss has no value expected at initialisation";
    return r;
  }
  if (task == data::Task::classification && c.classes < 2) {
    r.verdict = CheckResult::skipped;
    r.summary = "needs at least 2 classes";
    return r;
  }
  std::shared_ptr<nn::Module> model = c.fresh_model();
  dropout_off(*model);
  const auto [inputs, targets] = c.stats_batch();
  autograd::NoGradGuard no_grad;
  const Tensor logits = (*model)(inputs);
  const double loss = c.loss(logits, targets).item();
  // Small logits give chance: log(C) for softmax over C classes, log(2) per label for BCE.
  const double expected =
      std::log(task == data::Task::multilabel ? 2.0 : static_cast<double>(c.classes));
  const double deviation = (loss - expected) / expected;
  const Moments logit = moments(logits);
  r.numbers = {{"loss", loss}, {"log_classes", expected}, {"relative_deviation", deviation},
               {"logit_std", logit.std}};
  r.summary = num(loss, 4) + " at initialisation without regularisation; log(" +
              (task == data::Task::multilabel ? std::string("2") : std::to_string(c.classes)) +
              ") = " + num(expected, 4) + " (" +
              (deviation >= 0 ? "+" : "") + num(100 * deviation, 2) + "%), logit std " + num(logit.std);
  const double size = std::abs(deviation);
  r.verdict = !std::isfinite(loss) ? CheckResult::fail
              : size > 0.75        ? CheckResult::fail
              : size > 0.25        ? CheckResult::warn
                                   : CheckResult::pass;
  if (r.verdict != CheckResult::pass)
    r.advice = deviation > 0 || !std::isfinite(loss)
                   ? "the logits are too large at initialisation: a smaller initialisation "
                     "(model.init = kaiming_normal / xavier_normal) or normalised inputs"
                   : "the loss is below chance before any training: check that the labels do "
                     "not leak into the inputs and that the loss is the one meant";
  return r;
}

namespace {

// Σ wd/2·||p||² over the optimizer's groups: the loss term weight decay's gradient comes from.
double weight_decay_term(const optim::Optimizer& optimizer, double& decay) {
  double term = 0;
  decay = 0;
  for (const optim::ParamGroup& group : optimizer.param_groups()) {
    const auto it = group.options.find("weight_decay");
    if (it == group.options.end() || it->second <= 0) continue;
    decay = std::max(decay, it->second);
    for (const Tensor& p : group.params) term += 0.5 * it->second * sum(p.detach() * p.detach()).item();
  }
  return term;
}

}  // namespace

CheckResult check_regularization(Context& c) {
  CheckResult r{.name = "regularization"};
  std::shared_ptr<nn::Module> model = c.fresh_model();
  dropout_off(*model);
  std::unique_ptr<optim::Optimizer> optimizer = c.optimizer_for(*model);
  const auto [inputs, targets] = c.stats_batch();
  autograd::NoGradGuard no_grad;
  const double loss = c.loss((*model)(inputs), targets).item();
  const Tensor penalty = c.penalty(*model);
  double term = penalty.defined() ? penalty.item() : 0.0;
  double decay = 0;
  term += weight_decay_term(*optimizer, decay);
  const bool probe = !penalty.defined() && decay == 0;
  if (probe) {  // nothing configured: the notes' small weight decay, 1e-4
    std::vector<Tensor> weights;
    for (const Tensor& p : model->parameters())
      if (p.dim() >= 2) weights.push_back(p);
    term = 1e-4 * optim::l2_penalty(weights).item();
  }
  r.numbers = {{"loss", loss}, {"loss_regularized", loss + term}, {"penalty", term},
               {"weight_decay", decay}, {"probe", probe ? 1.0 : 0.0}};
  r.summary = "loss " + num(loss, 4) + " without, " + num(loss + term, 4) + " with " +
              (probe ? "a probe L2 of 1e-4 (none configured)" : "the configured regularisation") +
              " (+" + num(term) + ")";
  if (!(term > 0) || !(loss + term > loss)) {
    r.verdict = CheckResult::fail;
    r.summary += ": the loss does not rise";
    r.advice = "the penalty adds nothing: are the weights all zero at initialisation (see "
               "activations), or is the regulariser's strength 0?";
  } else if (term > loss) {
    r.verdict = CheckResult::warn;
    r.summary += ": the penalty exceeds the data loss";
    r.advice = "the regularisation would dominate training; the usual weight decays to try "
               "are 1e-4, 1e-5 and 0";
  }
  return r;
}

}  // namespace nabla::train::doctor
