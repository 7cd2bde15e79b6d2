// Monitor statistics. Every quantity is read from a host view taken under no-grad and summed in
// float64, so watching a run never changes it (no autograd nodes, no RNG draws).
#include "nabla/train/monitor.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>

#include "format.hpp"
#include "nabla/autograd.hpp"
#include "nabla/train/trainer.hpp"

namespace nabla::train {

namespace {

// A contiguous host view of a floating tensor, read in place (activations can be large: no
// float64 copy).
struct HostView {
  Tensor keep;  // owns what the pointers address
  const float* f32 = nullptr;
  const double* f64 = nullptr;
  int64_t n = 0;
  double operator[](int64_t i) const { return f32 ? f32[i] : f64[i]; }
};

HostView view_of(const Tensor& t) {
  NABLA_CHECK(t.defined() && is_floating(t.dtype()), "monitor: expected a floating tensor, got ",
              t.defined() ? dtype_name(t.dtype()) : "an undefined one");
  autograd::NoGradGuard no_grad;
  HostView view;
  view.keep = t.detach().to(Device::CPU).contiguous();
  view.n = view.keep.numel();
  if (view.keep.dtype() == DType::f32)
    view.f32 = view.keep.data<float>();
  else
    view.f64 = view.keep.data<double>();
  return view;
}


}  // namespace

report::Histogram histogram(const std::string& name, const Tensor& values, int64_t bins) {
  NABLA_CHECK(bins >= 1, "histogram: bins must be >= 1, got ", bins);
  const HostView v = view_of(values);
  report::Histogram h{name, 0.0, 0.0, std::vector<int64_t>(bins, 0)};
  double low = std::numeric_limits<double>::infinity(), high = -low;
  for (int64_t i = 0; i < v.n; ++i)
    if (std::isfinite(v[i])) low = std::min(low, v[i]), high = std::max(high, v[i]);
  if (low > high) return h;  // no finite value
  if (low == high) low -= 0.5, high += 0.5;
  h.low = low;
  h.high = high;
  const double scale = bins / (high - low);
  for (int64_t i = 0; i < v.n; ++i) {
    const double x = v[i];
    if (!std::isfinite(x)) continue;
    const auto bin = static_cast<int64_t>((x - low) * scale);
    ++h.counts[std::clamp<int64_t>(bin, 0, bins - 1)];
  }
  return h;
}

double dead_unit_fraction(const Tensor& output) {
  if (!output.defined() || output.dim() == 0 || output.numel() == 0) return 0.0;
  const HostView v = view_of(output);
  // [F]: one sample; [B, U, ...]: units along dim 1, positions after it.
  const int64_t batch = output.dim() == 1 ? 1 : output.size(0);
  const int64_t units = output.dim() == 1 ? output.size(0) : output.size(1);
  const int64_t positions = output.numel() / (batch * units);
  std::vector<bool> alive(units, false);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t u = 0; u < units; ++u) {
      if (alive[u]) continue;
      const int64_t first = (b * units + u) * positions;
      for (int64_t s = 0; s < positions && !alive[u]; ++s) alive[u] = v[first + s] != 0.0;
    }
  const auto dead = std::count(alive.begin(), alive.end(), false);
  return static_cast<double>(dead) / units;
}

double update_ratio(const Tensor& before, const Tensor& after) {
  NABLA_CHECK(before.shape() == after.shape(), "update_ratio: shapes differ, ", before.shape(),
              " before and ", after.shape(), " after");
  const HostView a = view_of(before), b = view_of(after);
  double change = 0.0, norm_before = 0.0, norm_after = 0.0;  // squared norms
  for (int64_t i = 0; i < a.n; ++i) {
    const double d = b[i] - a[i];
    change += d * d;
    norm_before += a[i] * a[i];
    norm_after += b[i] * b[i];
  }
  const double scale = norm_before > 0.0 ? norm_before : norm_after;
  return scale == 0.0 ? 0.0 : std::sqrt(change / scale);
}

bool update_ratio_flagged(double ratio) {
  return !std::isnan(ratio) && (ratio < kUpdateRatioLow || ratio > kUpdateRatioHigh);
}

double UpdateRatioCheck::scaled_ratio(const std::vector<std::pair<std::string, double>>& ratios,
                                      double lr) const {
  std::vector<double> values;
  for (const auto& [name, ratio] : ratios)
    if (std::isfinite(ratio)) values.push_back(ratio);
  if (values.empty() || !(lr > 0) || !std::isfinite(lr)) return std::nan("");
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  // An even count: the geometric mean of the middle two (ratios spread over decades), or the
  // upper one when the lower is 0 (one dead tensor of two is not a run that stopped).
  const double low = n % 2 ? values[n / 2] : values[n / 2 - 1];
  const double median = low > 0 ? std::sqrt(low * values[n / 2]) : values[n / 2];
  return reference_lr_ > 0 ? median * reference_lr_ / lr : median;
}

void UpdateRatioCheck::load_state(const std::vector<double>& state) {
  NABLA_CHECK(state.size() == 3, "UpdateRatioCheck::load_state: expected 3 values, got ",
              state.size());
  side_ = static_cast<int>(state[0]);
  streak_ = static_cast<int>(state[1]);
  warned_side_ = static_cast<int>(state[2]);
}

std::string UpdateRatioCheck::observe(const std::vector<std::pair<std::string, double>>& ratios,
                                      double lr, bool first_step) {
  const double scaled = scaled_ratio(ratios, lr);
  if (std::isnan(scaled)) return "";
  const auto listed = [&ratios] {
    std::string text;
    int count = 0;
    for (const auto& [name, ratio] : ratios)
      if (count++ < 6) text += (text.empty() ? "" : ", ") + name + " " + detail::format_number(ratio, 2);
    return text + (count > 6 ? ", ..." : "");
  };
  const std::string at = "lr " + detail::format_number(lr, 3) +
                         (reference_lr_ > 0 && reference_lr_ != lr
                              ? " (" + detail::format_number(lr / reference_lr_, 2) + " of the peak " +
                                    detail::format_number(reference_lr_, 3) + ")"
                              : "");
  if (first_step) {  // one step says little, unless the weights moved by their own size
    if (scaled <= kFirstStepHigh) return "";
    return "update/weight ratios on the first step: median " + detail::format_number(scaled, 2) +
           " at " + at + ", the weights change by more than their own size (learning rate may "
           "be too high; ~1e-3 is healthy): " + listed();
  }
  const int side = scaled == 0.0 ? -2 : scaled < kRunRatioLow ? -1 : scaled > kRunRatioHigh ? 1 : 0;
  const bool extreme = side == -2 || scaled < kRunRatioLow / 10 || scaled > kRunRatioHigh * 10;
  streak_ = side == side_ ? streak_ + 1 : 1;
  side_ = side;
  // Re-armed only after kRunRatioEpochs in the band: a ratio hovering at an edge warns once.
  if (side == 0 && streak_ >= kRunRatioEpochs) warned_side_ = 0;
  if (side == 0 || side == warned_side_ || (!extreme && streak_ < kRunRatioEpochs)) return "";
  warned_side_ = side;
  if (side == -2)
    return "update/weight ratios are 0: no weight changed in the step at " + at +
           " (dead units or zero gradients; the learning rate may have been too high earlier)";
  return "update/weight ratios far from ~1e-3" +
         (streak_ > 1 ? " for " + std::to_string(streak_) + " epochs" : std::string()) +
         ": median " + detail::format_number(scaled, 2) + " scaled to the peak lr, at " + at +
         (side < 0 ? " (learning rate may be too low): " : " (learning rate may be too high): ") +
         listed();
}

namespace {
void collect_names(const nn::Module& module, const std::string& prefix,
                   std::map<const nn::Module*, std::string>& names) {
  names.emplace(&module, prefix);
  for (const auto& [name, child] : module.named_children())
    if (child) collect_names(*child, prefix.empty() ? name : prefix + "." + name, names);
}
}  // namespace

std::map<const nn::Module*, std::string> module_names(const nn::Module& root) {
  std::map<const nn::Module*, std::string> names;
  collect_names(root, "", names);
  return names;
}

bool is_monitored_layer(const std::string& type_name) {
  for (const std::string& type : kMonitoredLayerTypes)
    if (type_name == type || (type == "BatchNorm" && type_name.rfind(type, 0) == 0)) return true;
  return false;
}

struct ActivationRecorder::State {
  std::map<const nn::Module*, std::string> names;
  std::map<const nn::Module*, int> calls;
  std::vector<report::Histogram> histograms;
  std::vector<std::pair<std::string, double>> dead;
  std::unique_ptr<nn::ForwardHookGuard> guard;

  void observe(const nn::Module& module, const Tensor& output) {
    const std::string& type = module.type_name();
    if (!is_monitored_layer(type) || !output.defined() || !is_floating(output.dtype())) return;
    const auto found = names.find(&module);
    const bool unnamed = found == names.end() || found->second.empty();
    std::string name = unnamed ? type : found->second;  // the root, or a module made on the fly
    const int call = ++calls[&module];
    if (call > 1) name.append("#").append(std::to_string(call));
    histograms.push_back(histogram(unnamed ? name : name + " (" + type + ")", output));
    if (type == "ReLU") dead.emplace_back(name, dead_unit_fraction(output));
  }
};

ActivationRecorder::ActivationRecorder(const nn::Module& root)
    : state_(std::make_unique<State>()) {
  state_->names = module_names(root);
  State* state = state_.get();
  state_->guard = std::make_unique<nn::ForwardHookGuard>(
      [state](const nn::Module& module, const Tensor&, const Tensor& output) {
        state->observe(module, output);
      });
}

ActivationRecorder::~ActivationRecorder() = default;

const std::vector<report::Histogram>& ActivationRecorder::histograms() const {
  return state_->histograms;
}

const std::vector<std::pair<std::string, double>>& ActivationRecorder::dead_relu_fraction() const {
  return state_->dead;
}

void fill_run_record(const History& history, const MonitorSnapshot& monitor,
                     report::RunRecord& record) {
  record.step_epoch.clear();
  record.step_loss.clear();
  for (const auto& [epoch, loss] : history.step_loss) {
    record.step_epoch.push_back(epoch);
    record.step_loss.push_back(loss);
  }
  // A run resumed from a checkpoint older than step_lr has fewer: then the per-epoch lr only.
  record.step_lr.clear();
  if (history.step_lr.size() == history.step_loss.size()) record.step_lr = history.step_lr;
  record.epoch.clear();
  record.train_loss.clear(), record.val_loss.clear();
  record.train_accuracy.clear(), record.val_accuracy.clear(), record.learning_rate.clear();
  std::vector<std::string> parameters;  // in order of first appearance
  std::set<std::string> seen;
  for (const EpochRecord& e : history.epochs) {
    record.epoch.push_back(static_cast<double>(e.epoch));
    record.train_loss.push_back(e.train_loss);
    record.val_loss.push_back(e.val_loss);
    record.train_accuracy.push_back(e.train_accuracy);
    record.val_accuracy.push_back(e.val_accuracy);
    record.learning_rate.push_back(e.learning_rate);
    for (const auto& [name, ratio] : e.update_ratio)
      if (seen.insert(name).second) parameters.push_back(name);
  }
  // EpochRecord keeps ratios in a std::map (sorted); list them in the model's order instead.
  std::vector<std::string> ordered;
  for (const auto& [name, ratio] : monitor.update_ratio)
    if (seen.count(name)) ordered.push_back(name);
  for (const std::string& name : parameters)
    if (std::find(ordered.begin(), ordered.end(), name) == ordered.end()) ordered.push_back(name);
  record.update_ratios.clear();
  for (const std::string& name : ordered) {
    std::vector<double> values;
    for (const EpochRecord& e : history.epochs) {
      const auto it = e.update_ratio.find(name);
      values.push_back(it == e.update_ratio.end() ? std::numeric_limits<double>::quiet_NaN()
                                                  : it->second);
    }
    record.update_ratios.emplace_back(name, std::move(values));
  }
  record.activation_histograms = monitor.activation_histograms;
  record.gradient_histograms = monitor.gradient_histograms;
  record.dead_relu_fraction = monitor.dead_relu_fraction;
}

}  // namespace nabla::train
