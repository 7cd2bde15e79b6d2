// Finding NaN and inf: in a tensor, and in the first layer whose output holds one. The trainer's
// NaN guard and the doctor's non_finite check share these.
#include <cmath>
#include <limits>

#include "nabla/autograd.hpp"
#include "nabla/train/monitor.hpp"

namespace nabla::train {

namespace {

// One pass the compiler can vectorise (no early exit); NaN fails the comparison too.
template <class T>
bool any_non_finite(const T* data, int64_t n) {
  bool bad = false;
  for (int64_t i = 0; i < n; ++i) bad |= !(std::abs(data[i]) <= std::numeric_limits<T>::max());
  return bad;
}

template <class T>
const char* first_kind(const T* data, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(data[i])) return std::isnan(data[i]) ? "NaN" : "inf";
  return nullptr;
}

}  // namespace

const char* non_finite_kind(const Tensor& tensor) {
  if (!tensor.defined() || !is_floating(tensor.dtype()) || tensor.numel() == 0) return nullptr;
  autograd::NoGradGuard no_grad;
  const Tensor t = tensor.detach().to(Device::CPU).contiguous();
  if (t.dtype() == DType::f32) {
    const float* p = t.data<float>();
    return any_non_finite(p, t.numel()) ? first_kind(p, t.numel()) : nullptr;
  }
  const double* p = t.data<double>();
  return any_non_finite(p, t.numel()) ? first_kind(p, t.numel()) : nullptr;
}

std::optional<NonFiniteModule> first_non_finite_module(nn::Module& model, const Tensor& inputs) {
  const std::map<const nn::Module*, std::string> names = module_names(model);
  std::optional<NonFiniteModule> found;
  autograd::NoGradGuard no_grad;
  nn::ForwardHookGuard hook([&](const nn::Module& module, const Tensor&, const Tensor& output) {
    if (found) return;
    if (const char* kind = non_finite_kind(output)) {
      const auto it = names.find(&module);
      found = NonFiniteModule{it == names.end() ? "" : it->second, module.type_name(), kind};
    }
  });
  try {
    (void)model(inputs);
  } catch (const std::exception&) {  // a diagnosis after a failure: what was seen is the answer
  }
  return found;
}

}  // namespace nabla::train
