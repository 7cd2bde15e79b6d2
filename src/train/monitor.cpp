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

std::string update_ratio_warning(const std::vector<std::pair<std::string, double>>& ratios) {
  constexpr int kListed = 6;  // a ResNet has ~60 tensors; the line stays readable
  std::string line;
  int listed = 0, more = 0;
  for (const auto& [name, ratio] : ratios) {
    if (!update_ratio_flagged(ratio)) continue;
    if (listed == kListed) {
      ++more;
      continue;
    }
    line += (listed++ ? ", " : "") + name + " " + detail::format_number(ratio, 2) +
            (ratio < kUpdateRatioLow ? " (learning rate may be too low)"
                                     : " (learning rate may be too high)");
  }
  if (line.empty()) return "";
  if (more) line += ", and " + std::to_string(more) + " more";
  return "update/weight ratios far from ~1e-3: " + line;
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
