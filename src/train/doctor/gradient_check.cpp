// The whole-model gradient check: a float64 copy of a fresh model, the full objective (loss plus
// regularisers) on a few rows, and analytic against central-difference gradients for a seeded
// sample of entries of every parameter tensor (the notes' "check your gradients").
//
// Two things make a correct gradient look wrong, and both are handled per entry:
// - round-off: a float64 loss L carries a few ulps of error, so a central difference with step
//   eps is only good to ~100·ε·|L|/(2·eps) absolutely. Gradients smaller than that divided by
//   the pass threshold cannot be resolved to 1e-5 and are compared against that floor instead.
// - kinks (ReLU at 0, max-pool ties): a difference across one measures a mix of two slopes. An
//   entry that misses at eps = 1e-5 is retried at 1e-6 and 1e-7; if the three numeric values
//   disagree among themselves the function is not differentiable there and the entry is set
//   aside as a kink. A wrong backward gives numeric values that agree with each other and not
//   with the analytic one.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <set>
#include <sstream>

#include "core/tensor_impl.hpp"
#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"
#include "nabla/random.hpp"
#include "train/doctor/context.hpp"

namespace nabla::train::doctor {

namespace {

constexpr double kSteps[] = {1e-5, 1e-6, 1e-7};  // the notes' h ~ 1e-5 first
constexpr double kPass = 1e-5;
constexpr double kFail = 1e-3;
constexpr uint64_t kEntryStream = 0xD0C7'0000'0000'0100ull;

// torch's module.double(): every floating parameter and buffer keeps its handle (layers hold
// copies of it) and gets float64 data. nabla has Module::to(Device) but no Module::to(DType) yet,
// so the storage is swapped here, on a fresh model no one else holds.
void to_float64_(nn::Module& model) {
  autograd::NoGradGuard no_grad;
  for (const auto& [name, t] : model.state_dict()) {
    if (!is_floating(t.dtype()) || t.dtype() == DType::f64) continue;
    const Tensor copy = t.detach().to(DType::f64).contiguous();
    TensorImpl& impl = *t.impl();
    impl.storage = copy.impl()->storage;
    impl.shape = copy.shape();
    impl.strides = copy.strides();
    impl.offset = copy.offset();
    impl.dtype = DType::f64;
    impl.grad.reset();
  }
}

std::vector<int64_t> pick_entries(int64_t numel, int64_t count, uint64_t seed, uint64_t tensor) {
  std::vector<int64_t> picked;
  if (numel <= count) {
    for (int64_t i = 0; i < numel; ++i) picked.push_back(i);
    return picked;
  }
  RandomStream rng(seed, kEntryStream + tensor);
  std::set<int64_t> seen;
  while (static_cast<int64_t>(picked.size()) < count) {
    const auto i = static_cast<int64_t>(rng.below(static_cast<uint64_t>(numel)));
    if (seen.insert(i).second) picked.push_back(i);
  }
  std::sort(picked.begin(), picked.end());
  return picked;
}

struct Entry {
  double error = 0, numeric = 0;
  bool kink = false;
};

struct TensorReport {
  std::string name;
  double worst = 0;
  int64_t worst_index = 0, entries = 0, kinks = 0;
  double analytic = 0, numeric = 0;
};

class Checker {
 public:
  Checker(Context& c, nn::Module& model, const Tensor& inputs, const Tensor& targets)
      : c_(c), model_(model), inputs_(inputs), targets_(targets) {}

  Tensor objective() const {
    manual_seed(c_.in.seed);  // any random op in the forward draws the same numbers every time
    Tensor value = c_.loss(model_(inputs_), targets_);
    if (const Tensor extra = c_.penalty(model_); extra.defined()) value = value + extra;
    return value;
  }

  // Backward once for every analytic gradient; remembers |loss| for the round-off floor.
  void backward() {
    const Tensor loss = objective();
    NABLA_CHECK(loss.dtype() == DType::f64, "doctor gradcheck: the loss is ", loss.dtype(),
                " after converting the parameters to float64; a layer or the loss casts to float32");
    loss_scale_ = std::max(1.0, std::abs(loss.item()));
    model_.zero_grad(/*set_to_none=*/true);
    loss.backward();
  }

  TensorReport check_tensor(const std::string& name, const Tensor& p, uint64_t index) const {
    const Tensor grad = p.grad();
    const std::vector<double> analytic =
        grad.defined() ? grad.to_vector<double>() : std::vector<double>(static_cast<size_t>(p.numel()), 0.0);
    NABLA_CHECK(p.is_contiguous(), "doctor gradcheck: parameter ", name, " is not contiguous");
    double* data = p.data<double>();
    TensorReport report{.name = name};
    for (int64_t i : pick_entries(p.numel(), c_.options.gradcheck_entries, c_.in.seed, index)) {
      const double a = analytic[static_cast<size_t>(i)];
      const Entry entry = compare(data + i, a);
      ++report.entries;
      if (entry.kink) {
        ++report.kinks;
        continue;
      }
      if (!(entry.error <= report.worst))  // NaN sticks
        report.worst = entry.error, report.worst_index = i, report.analytic = a, report.numeric = entry.numeric;
    }
    return report;
  }

 private:
  double numeric(double* entry, double eps) const {
    autograd::NoGradGuard no_grad;
    const double original = *entry;
    *entry = original + eps;
    const double plus = objective().item();
    *entry = original - eps;
    const double minus = objective().item();
    *entry = original;
    return (plus - minus) / (2 * eps);
  }

  double round_off(double eps) const { return 100 * DBL_EPSILON * loss_scale_ / (2 * eps); }

  double error(double a, double n, double eps) const {
    return std::abs(a - n) / std::max({std::abs(a), std::abs(n), round_off(eps) / kPass});
  }

  Entry compare(double* entry, double a) const {
    Entry best{.error = INFINITY};
    double low = INFINITY, high = -INFINITY, size = 0;
    for (double eps : kSteps) {
      const double n = numeric(entry, eps);
      const double e = error(a, n, eps);
      if (e <= kPass) return {e, n, false};
      if (!(e >= best.error)) best = {e, n, false};
      low = std::min(low, n), high = std::max(high, n), size = std::max(size, std::abs(n));
    }
    // Numeric values that move with the step size: the function has a kink here.
    best.kink = high - low > 1e-3 * size + round_off(kSteps[2]);
    return best;
  }

  Context& c_;
  nn::Module& model_;
  Tensor inputs_, targets_;
  double loss_scale_ = 1;
};

void conclude(CheckResult& r, const std::vector<TensorReport>& reports, int64_t samples) {
  double worst = 0;
  int64_t entries = 0, kinks = 0;
  const TensorReport* worst_tensor = &reports[0];
  std::string last_failing;  // in parameter order: the failing tensor nearest the output
  for (const TensorReport& t : reports) {
    entries += t.entries, kinks += t.kinks;
    r.numbers[t.name + ".max_relative_error"] = t.worst;
    std::ostringstream line;
    line << t.name << ": worst relative error " << num(t.worst, 2) << " over " << t.entries - t.kinks
         << " entries" << (t.kinks ? " (+" + std::to_string(t.kinks) + " at kinks)" : "")
         << "; flat index " << t.worst_index << ": analytic " << num(t.analytic, 6) << ", numeric "
         << num(t.numeric, 6);
    r.details.push_back(line.str());
    if (!(t.worst <= worst)) worst = t.worst, worst_tensor = &t;
    if (!(t.worst <= kFail)) last_failing = t.name;
  }
  r.numbers["max_relative_error"] = worst;
  r.numbers["entries"] = static_cast<double>(entries);
  r.numbers["kink_entries"] = static_cast<double>(kinks);
  r.numbers["samples"] = static_cast<double>(samples);
  r.summary = "float64, " + std::to_string(samples) + " samples, " + std::to_string(entries) +
              " entries of " + std::to_string(reports.size()) + " tensors: worst relative error " +
              num(worst, 2) + " (" + worst_tensor->name + ")" +
              (kinks ? ", " + std::to_string(kinks) + " entries at kinks set aside" : "");
  if (!(worst <= kFail)) {
    r.verdict = CheckResult::fail;
    r.advice = "a backward disagrees with its forward. Gradients flow from the loss backwards, "
               "so the faulty backward sits at or after the layer of " + last_failing +
               " (the failing parameter nearest the output) and before the next parameter that "
               "passes; check that layer with autograd::gradcheck";
  } else if (worst > kPass || 2 * kinks > entries) {
    r.verdict = CheckResult::warn;
    r.advice = worst > kPass ? "errors between 1e-5 and 1e-3: a slightly wrong backward, or "
                               "round-off in a large model; rerun with another seed"
                             : "most sampled entries sit at kinks; rerun with another seed or "
                               "fewer samples (gradcheck_samples)";
  }
}

}  // namespace

CheckResult check_gradients(Context& c) {
  CheckResult r{.name = "gradcheck"};
  std::shared_ptr<nn::Module> model = c.fresh_model();
  to_float64_(*model);
  dropout_off(*model);
  const auto [rows, targets] = c.slice(0, c.options.gradcheck_samples);
  Checker checker(c, *model, rows.to(DType::f64), targets);
  checker.backward();
  std::vector<TensorReport> reports;
  uint64_t index = 0;
  for (const auto& [name, p] : model->named_parameters())
    if (p.requires_grad()) reports.push_back(checker.check_tensor(name, p, index++));
  if (reports.empty()) {
    r.verdict = CheckResult::skipped;
    r.summary = "the model has no trainable parameters";
    return r;
  }
  conclude(r, reports, rows.size(0));
  return r;
}

}  // namespace nabla::train::doctor
