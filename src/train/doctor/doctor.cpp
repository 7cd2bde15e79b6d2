// run_doctor: validates the inputs, builds the shared context, runs the selected checks in order
// (each catching its own errors), and formats the results as text or JSON.
#include "nabla/train/doctor.hpp"

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <sstream>

#include "train/doctor/context.hpp"

namespace nabla::train {

namespace {

using CheckFn = CheckResult (*)(doctor::Context&);

// non_finite runs last: it also reads the overfit run when that ran.
const std::vector<std::pair<std::string, CheckFn>>& checks() {
  static const std::vector<std::pair<std::string, CheckFn>> list = {
      {"inputs", doctor::check_inputs},
      {"activations", doctor::check_activations},
      {"initial_loss", doctor::check_initial_loss},
      {"regularization", doctor::check_regularization},
      {"gradcheck", doctor::check_gradients},
      {"overfit", doctor::check_overfit},
      {"lr_range", doctor::check_lr_range},
      {"update_ratio", doctor::check_update_ratio},
      {"dead_relu", doctor::check_dead_relu},
      {"non_finite", doctor::check_non_finite},
  };
  return list;
}

void check_positive(const char* what, double value) {
  NABLA_CHECK(value > 0, "doctor: ", what, " must be positive, got ", value);
}

void validate(const DoctorInputs& in) {
  NABLA_CHECK(in.make_model != nullptr, "doctor: DoctorInputs::make_model is empty; give a "
              "function that returns a fresh, initialised model");
  NABLA_CHECK(in.make_optimizer != nullptr, "doctor: DoctorInputs::make_optimizer is empty; give "
              "a function that builds the optimizer for a model");
  NABLA_CHECK(in.train.size() > 0, "doctor: the training set is empty; the checks need samples");
  const DoctorOptions& o = in.options;
  check_positive("batch_size", static_cast<double>(in.batch_size));
  check_positive("options.samples", static_cast<double>(o.samples));
  check_positive("options.stats_batch", static_cast<double>(o.stats_batch));
  check_positive("options.gradcheck_samples", static_cast<double>(o.gradcheck_samples));
  check_positive("options.gradcheck_entries", static_cast<double>(o.gradcheck_entries));
  check_positive("options.overfit_batches", static_cast<double>(o.overfit_batches));
  check_positive("options.overfit_max_steps", static_cast<double>(o.overfit_max_steps));
  check_positive("options.update_steps", static_cast<double>(o.update_steps));
  NABLA_CHECK(o.lr_steps >= 5, "doctor: options.lr_steps must be >= 5 for a range test, got ",
              o.lr_steps, " (~100, the usual advice, is the default)");
  NABLA_CHECK(o.lr_min > 0 && o.lr_min < o.lr_max, "doctor: the lr range must satisfy 0 < lr_min < "
              "lr_max, got ", o.lr_min, " and ", o.lr_max, " (default 1e-5 and 1)");
  for (const std::string& name : o.checks) {
    const auto& names = doctor_check_names();
    if (std::find(names.begin(), names.end(), name) != names.end()) continue;
    std::string list;
    for (const std::string& valid : names) list += (list.empty() ? "" : ", ") + valid;
    NABLA_FAIL("doctor: unknown check '", name, "'; the checks are ", list);
  }
}

}  // namespace

const char* verdict_name(CheckResult::Verdict verdict) {
  switch (verdict) {
    case CheckResult::pass: return "pass";
    case CheckResult::warn: return "warn";
    case CheckResult::fail: return "fail";
    case CheckResult::skipped: return "skipped";
  }
  return "?";
}

const std::vector<std::string>& doctor_check_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, fn] : checks()) out.push_back(name);
    return out;
  }();
  return names;
}

std::vector<CheckResult> run_doctor(const DoctorInputs& inputs) {
  validate(inputs);
  doctor::Context context(inputs);
  const std::vector<std::string>& selected = inputs.options.checks;
  std::vector<CheckResult> results;
  for (const auto& [name, fn] : checks()) {
    if (!selected.empty() && std::find(selected.begin(), selected.end(), name) == selected.end())
      continue;
    try {
      results.push_back(fn(context));
    } catch (const std::exception& error) {
      // One broken check does not hide the others' verdicts.
      CheckResult failed{.name = name, .verdict = CheckResult::fail};
      failed.summary = std::string("the check could not run: ") + error.what();
      failed.advice = "fix the error above; the model or data cannot go through this step";
      results.push_back(std::move(failed));
    }
  }
  return results;
}

bool doctor_failed(const std::vector<CheckResult>& results) {
  return std::any_of(results.begin(), results.end(),
                     [](const CheckResult& r) { return r.verdict == CheckResult::fail; });
}

std::string doctor_text(const std::vector<CheckResult>& results) {
  std::ostringstream out;
  size_t width = 0;
  for (const CheckResult& r : results) width = std::max(width, r.name.size());
  int counts[4] = {0, 0, 0, 0};
  for (const CheckResult& r : results) {
    ++counts[r.verdict];
    std::string tag = r.verdict == CheckResult::skipped ? "SKIP" : verdict_name(r.verdict);
    std::transform(tag.begin(), tag.end(), tag.begin(), [](char ch) { return static_cast<char>(std::toupper(ch)); });
    tag.resize(7, ' ');
    std::string name = r.name;
    name.resize(width + 2, ' ');
    out << tag << name << r.summary << "\n";
    const std::string indent(7 + width + 2, ' ');
    for (const std::string& line : r.details) out << indent << "  " << line << "\n";
    if (!r.advice.empty()) out << indent << "-> " << r.advice << "\n";
  }
  out << results.size() << " checks: " << counts[CheckResult::pass] << " pass, "
      << counts[CheckResult::warn] << " warn, " << counts[CheckResult::fail] << " fail, "
      << counts[CheckResult::skipped] << " skipped\n";
  return out.str();
}

std::string doctor_json(const std::vector<CheckResult>& results) {
  nlohmann::ordered_json checks_json = nlohmann::ordered_json::array();
  nlohmann::ordered_json counts = {{"pass", 0}, {"warn", 0}, {"fail", 0}, {"skipped", 0}};
  for (const CheckResult& r : results) {
    nlohmann::ordered_json numbers = nlohmann::ordered_json::object();
    for (const auto& [key, value] : r.numbers) numbers[key] = value;  // NaN and inf dump as null
    checks_json.push_back({{"name", r.name}, {"verdict", verdict_name(r.verdict)},
                           {"summary", r.summary}, {"numbers", numbers}, {"details", r.details},
                           {"advice", r.advice}});
    counts[verdict_name(r.verdict)] = counts[verdict_name(r.verdict)].get<int>() + 1;
  }
  const nlohmann::ordered_json doc = {{"checks", checks_json}, {"counts", counts}, {"ok", !doctor_failed(results)}};
  return doc.dump(2) + "\n";
}

}  // namespace nabla::train
