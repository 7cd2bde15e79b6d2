// Preprocessing: the list of steps, fitted on the training inputs and applied to batches
// (the steps themselves live in preprocess_steps.cpp).
#include "nabla/data/preprocess.hpp"

#include <cstring>
#include <set>
#include <utility>

#include "data/preprocess_steps.hpp"
#include "nabla/error.hpp"

namespace nabla::data {

using detail::FittedStep;
using detail::ParsedStep;
using detail::Statistic;

struct Preprocessing::Impl {
  std::vector<PreprocessStep> steps;
  std::vector<ParsedStep> parsed;
  bool fitted = false;
  Shape sample_shape;  // the fitted input sample shape
  std::vector<FittedStep> fitted_steps;
};

namespace {

constexpr const char* kSampleShapeName = "preprocess.sample_shape";

std::string state_name(size_t step, const std::string& stat) {
  return "preprocess." + std::to_string(step) + "." + stat;
}

// A float32, contiguous, CPU copy-or-view of `x` whose data can be read as float.
Tensor float_cpu(const Tensor& x) { return x.to(Device::CPU).to(DType::f32).contiguous(); }

Shape sample_shape_of(const Tensor& x) { return Shape(x.shape().begin() + 1, x.shape().end()); }

// Runs `fitted` over rows of x [rows, ...] float32; returns [rows, *last output shape].
Tensor run_steps(const std::vector<FittedStep>& fitted, Tensor x) {
  const int64_t rows = x.size(0);
  for (const FittedStep& step : fitted) {
    Shape out_shape{rows};
    out_shape.insert(out_shape.end(), step.output_shape().begin(), step.output_shape().end());
    Tensor y = empty(out_shape, {.dtype = DType::f32});
    step.apply(x.data<float>(), rows, y.data<float>());
    x = y;
  }
  return x;
}

}  // namespace

Preprocessing::Preprocessing(std::vector<PreprocessStep> steps) : impl_(std::make_unique<Impl>()) {
  for (size_t i = 0; i < steps.size(); ++i)
    impl_->parsed.push_back(detail::parse_step(steps[i], i));
  impl_->steps = std::move(steps);
}

Preprocessing::Preprocessing() : Preprocessing(std::vector<PreprocessStep>{}) {}
Preprocessing::~Preprocessing() = default;
Preprocessing::Preprocessing(Preprocessing&&) noexcept = default;
Preprocessing& Preprocessing::operator=(Preprocessing&&) noexcept = default;

const std::vector<PreprocessStep>& Preprocessing::steps() const {
  static const std::vector<PreprocessStep> none;
  return impl_ ? impl_->steps : none;
}

bool Preprocessing::fitted() const { return !impl_ || impl_->steps.empty() || impl_->fitted; }

void Preprocessing::fit(const Tensor& train_inputs) {
  if (!impl_ || impl_->steps.empty()) return;
  NABLA_CHECK(
      train_inputs.defined() && train_inputs.dim() >= 2 && train_inputs.numel() > 0,
      "Preprocessing::fit: expected training inputs [N, ...] with N >= 1 and non-empty samples "
      "of at least one dim, got shape ",
      train_inputs.defined() ? train_inputs.shape() : Shape{},
      "; pass the whole training split, e.g. [60000, 1, 28, 28]");
  NABLA_CHECK(is_floating(train_inputs.dtype()), "Preprocessing::fit: expected float inputs, got ",
              train_inputs.dtype(), "; convert with .to(DType::f32)");
  const Shape sample_shape = sample_shape_of(train_inputs);
  Tensor x = float_cpu(train_inputs);
  std::vector<FittedStep> fitted;
  Shape shape = sample_shape;
  for (size_t i = 0; i < impl_->parsed.size(); ++i) {
    fitted.push_back(FittedStep::fit(impl_->parsed[i], shape, x.data<float>(), x.size(0), i));
    shape = fitted.back().output_shape();
    if (i + 1 < impl_->parsed.size()) x = run_steps({fitted.back()}, x);
  }
  impl_->sample_shape = sample_shape;
  impl_->fitted_steps = std::move(fitted);
  impl_->fitted = true;
}

Tensor Preprocessing::apply(const Tensor& inputs) const {
  if (!impl_ || impl_->steps.empty()) return inputs;
  NABLA_CHECK(impl_->fitted,
              "Preprocessing::apply before fit: call fit(train_inputs) or "
              "load_state(saved) first");
  NABLA_CHECK(
      inputs.defined() && inputs.dim() >= 1 && sample_shape_of(inputs) == impl_->sample_shape,
      "Preprocessing::apply: inputs of shape ", inputs.defined() ? inputs.shape() : Shape{},
      " have samples ", inputs.defined() && inputs.dim() >= 1 ? sample_shape_of(inputs) : Shape{},
      ", but the preprocessing was fitted on samples ", impl_->sample_shape, "; pass batches [B, ",
      impl_->sample_shape, "] shaped like the training inputs");
  NABLA_CHECK(is_floating(inputs.dtype()), "Preprocessing::apply: expected float inputs, got ",
              inputs.dtype(), "; convert with .to(DType::f32)");
  const Tensor out = run_steps(impl_->fitted_steps, float_cpu(inputs));
  return inputs.device() == Device::CPU ? out : out.to(inputs.device());
}

Shape Preprocessing::output_sample_shape(const Shape& input_sample_shape) const {
  Shape shape = input_sample_shape;
  if (!impl_) return shape;
  for (size_t i = 0; i < impl_->parsed.size(); ++i)
    shape = detail::step_output_shape(impl_->parsed[i], shape, i);
  return shape;
}

nn::NamedTensors Preprocessing::state() const {
  nn::NamedTensors out;
  if (!impl_ || impl_->steps.empty()) return out;
  NABLA_CHECK(impl_->fitted, "Preprocessing::state before fit: call fit(train_inputs) first");
  out.emplace_back(kSampleShapeName, from_vector<int64_t>(impl_->sample_shape,
                                                          {int64_t(impl_->sample_shape.size())}));
  for (size_t i = 0; i < impl_->fitted_steps.size(); ++i)
    for (const Statistic& s : impl_->fitted_steps[i].statistics())
      out.emplace_back(state_name(i, s.name), from_vector<double>(s.values, s.shape));
  return out;
}

namespace {

const Tensor* find_tensor(const nn::NamedTensors& state, const std::string& name) {
  for (const auto& [key, value] : state)
    if (key == name) return &value;
  return nullptr;
}

// The tensor `name` of `state` as float64 values of `shape`, or an Error naming it.
std::vector<double> saved_values(const nn::NamedTensors& state, const std::string& name,
                                 const Shape& shape) {
  const Tensor* t = find_tensor(state, name);
  NABLA_CHECK(t != nullptr, "Preprocessing::load_state: missing tensor '", name,
              "'; load the state saved by state() of a Preprocessing with the same steps");
  NABLA_CHECK(t->shape() == shape, "Preprocessing::load_state: tensor '", name, "' has shape ",
              t->shape(), ", expected ", shape,
              " for these steps and sample shape; was it saved with other steps or data?");
  return t->to(Device::CPU).to(DType::f64).contiguous().to_vector<double>();
}

}  // namespace

void Preprocessing::load_state(const nn::NamedTensors& state) {
  if (!impl_ || impl_->steps.empty()) return;
  const Tensor* saved_shape = find_tensor(state, kSampleShapeName);
  NABLA_CHECK(saved_shape != nullptr && saved_shape->dim() == 1,
              "Preprocessing::load_state: missing tensor '", kSampleShapeName,
              "' (int64 [rank]); load the state saved by Preprocessing::state()");
  const Shape sample_shape = saved_shape->to(DType::i64).contiguous().to_vector<int64_t>();
  std::set<std::string> expected{kSampleShapeName};
  std::vector<FittedStep> fitted;
  Shape shape = sample_shape;
  for (size_t i = 0; i < impl_->parsed.size(); ++i) {
    std::vector<Statistic> stats = detail::expected_statistics(impl_->parsed[i], shape, i);
    for (Statistic& s : stats) {
      expected.insert(state_name(i, s.name));
      s.values = saved_values(state, state_name(i, s.name), s.shape);
    }
    fitted.push_back(FittedStep::restore(impl_->parsed[i], shape, std::move(stats), i));
    shape = fitted.back().output_shape();
  }
  for (const auto& [key, value] : state)
    NABLA_CHECK(key.rfind("preprocess.", 0) != 0 || expected.count(key),
                "Preprocessing::load_state: unexpected tensor '", key, "' for these ",
                impl_->steps.size(), " steps; the state was saved with other steps");
  impl_->sample_shape = sample_shape;
  impl_->fitted_steps = std::move(fitted);
  impl_->fitted = true;
}

}  // namespace nabla::data
