#include "support/harness.hpp"

#include <cmath>
#include <sstream>

namespace nabla::testing {

::testing::AssertionResult gradcheck_passes(const autograd::GradcheckFn& fn,
                                            const std::vector<Tensor>& inputs,
                                            autograd::GradcheckOptions options) {
  const autograd::GradcheckResult result = autograd::gradcheck(fn, inputs, options);
  if (result.ok) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << result.report;
}

Tensor randn64(const Shape& shape, bool requires_grad) {
  return randn(shape, {.dtype = DType::f64, .requires_grad = requires_grad});
}

Tensor away_from_zero64(const Shape& shape, bool requires_grad) {
  const Tensor u = rand(shape, {.dtype = DType::f64});
  const Tensor sign = where(lt(rand(shape, {.dtype = DType::f64}), scalar_tensor(0.5, {.dtype = DType::f64})),
                            scalar_tensor(-1.0, {.dtype = DType::f64}),
                            scalar_tensor(1.0, {.dtype = DType::f64}));
  Tensor out = (u + 0.5) * sign;
  return out.detach().requires_grad_(requires_grad);
}

Tensor positive64(const Shape& shape) {
  return abs(away_from_zero64(shape, false)).detach().requires_grad_(true);
}

Tensor strided_leaf(const Tensor& t, bool requires_grad) {
  Shape wide = t.shape();
  if (wide.empty()) return t.detach().clone().requires_grad_(requires_grad);
  wide.back() *= 2;
  Tensor base = zeros(wide, {.dtype = t.dtype()});
  Tensor view = base.slice(-1, 0, wide.back(), 2);
  view.copy_(t.detach());
  Tensor leaf = view.detach();
  EXPECT_FALSE(leaf.is_contiguous());
  return leaf.requires_grad_(requires_grad);
}

Tensor transposed_leaf(const Tensor& t, bool requires_grad) {
  Tensor stored = t.detach().transpose(-1, -2).contiguous();
  Tensor leaf = stored.transpose(-1, -2).detach();
  return leaf.requires_grad_(requires_grad);
}

::testing::AssertionResult throws_error_containing(const std::function<void()>& fn,
                                                   const std::vector<std::string>& fragments) {
  try {
    fn();
  } catch (const Error& e) {
    for (const std::string& f : fragments)
      if (std::string(e.what()).find(f) == std::string::npos)
        return ::testing::AssertionFailure() << "message \"" << e.what() << "\" lacks \"" << f << '"';
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw a non-nabla exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "no nabla::Error was thrown";
}

::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected, double rtol,
                                     double atol) {
  if (actual.shape() != expected.shape()) {
    std::ostringstream s;
    s << "shape " << actual.shape() << " != expected " << expected.shape();
    return ::testing::AssertionFailure() << s.str();
  }
  const std::vector<double> a = actual.to_vector<double>(), e = expected.to_vector<double>();
  for (size_t i = 0; i < a.size(); ++i) {
    // As torch.allclose(equal_nan=True): equal values (infinities included, where inf - inf is
    // NaN) and NaN against NaN match; an infinity matches only itself; finite values need the
    // tolerance.
    const bool same = a[i] == e[i] || (std::isnan(a[i]) && std::isnan(e[i]));
    const bool finite = std::isfinite(a[i]) && std::isfinite(e[i]);
    if (!same && !(finite && std::abs(a[i] - e[i]) <= atol + rtol * std::abs(e[i])))
      return ::testing::AssertionFailure()
             << "element " << i << ": " << a[i] << " vs expected " << e[i] << " (shape "
             << ::testing::PrintToString(actual.shape()) << ")";
  }
  return ::testing::AssertionSuccess();
}

std::string module_repr(const nn::Module& module) {
  std::ostringstream out;
  out << module;
  return out.str();
}

}  // namespace nabla::testing
