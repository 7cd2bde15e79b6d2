// Gradient check by central differences, the notes' "how to check your own module":
// numeric  J[o][j] = (f(x + eps e_j)[o] - f(x - eps e_j)[o]) / 2 eps
// analytic J[o][:] = backward of f with a one-hot seed at output element o
// and every entry must satisfy |analytic - numeric| <= atol + rtol * |numeric|.
#include <cmath>
#include <sstream>

#include "core/tensor_impl.hpp"
#include "nabla/ops.hpp"

namespace nabla::autograd {

namespace {

// The multi-index of row-major position `flat` in `shape`, as "[i, j, ...]".
std::string index_string(const Shape& shape, int64_t flat) {
  Shape index(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    index[d] = flat % shape[d];
    flat /= shape[d];
  }
  std::ostringstream out;
  out << index;
  return out.str();
}

// Pointers to each logical element of a (possibly strided) f64 tensor, row-major.
std::vector<double*> element_pointers(const Tensor& t) {
  std::vector<double*> ptrs;
  double* base = static_cast<double*>(t.data_ptr());
  const Shape& shape = t.shape();
  for (int64_t flat = 0; flat < t.numel(); ++flat) {
    int64_t rest = flat, offset = 0;
    for (size_t d = shape.size(); d-- > 0;) {
      offset += rest % shape[d] * t.strides()[d];
      rest /= shape[d];
    }
    ptrs.push_back(base + offset);
  }
  return ptrs;
}

std::vector<double> evaluate(const GradcheckFn& fn, const std::vector<Tensor>& inputs) {
  NoGradGuard no_grad;
  return fn(inputs).to_vector<double>();
}

}  // namespace

GradcheckResult gradcheck(const GradcheckFn& fn, const std::vector<Tensor>& inputs,
                          GradcheckOptions options) {
  std::vector<size_t> checked;
  for (size_t i = 0; i < inputs.size(); ++i) {
    NABLA_CHECK(inputs[i].dtype() == DType::f64 || !inputs[i].requires_grad(), "gradcheck: input ",
                i, " is ", inputs[i].dtype(), "; finite differences need float64 inputs "
                "(convert with .to(DType::f64))");
    if (inputs[i].requires_grad()) checked.push_back(i);
  }
  NABLA_CHECK(!checked.empty(), "gradcheck: no input requires grad; call requires_grad_() on "
              "the inputs to check");

  // Analytic Jacobian, one backward per output element.
  const Tensor out = fn(inputs);
  NABLA_CHECK(out.dtype() == DType::f64, "gradcheck: the function returned ", out.dtype(),
              "; it must compute in float64");
  const int64_t n_out = out.numel();
  std::vector<std::vector<std::vector<double>>> analytic(checked.size());
  for (int64_t o = 0; o < n_out; ++o) {
    for (size_t c : checked) inputs[c].set_grad({});
    std::vector<double> seed(n_out, 0.0);
    seed[o] = 1.0;
    if (out.requires_grad()) out.backward(from_vector(seed, out.shape()), /*retain_graph=*/true);
    for (size_t k = 0; k < checked.size(); ++k) {
      const Tensor g = inputs[checked[k]].grad();
      analytic[k].push_back(g.defined() ? g.to_vector<double>()
                                        : std::vector<double>(inputs[checked[k]].numel(), 0.0));
    }
  }
  for (size_t c : checked) inputs[c].set_grad({});

  // Numeric Jacobian, column by column, and the comparison.
  GradcheckResult result;
  double worst_excess = -INFINITY;
  for (size_t k = 0; k < checked.size(); ++k) {
    const Tensor& x = inputs[checked[k]];
    const std::vector<double*> elements = element_pointers(x);
    for (size_t j = 0; j < elements.size(); ++j) {
      const double original = *elements[j];
      *elements[j] = original + options.eps;
      const std::vector<double> plus = evaluate(fn, inputs);
      *elements[j] = original - options.eps;
      const std::vector<double> minus = evaluate(fn, inputs);
      *elements[j] = original;
      for (int64_t o = 0; o < n_out; ++o) {
        const double numeric = (plus[o] - minus[o]) / (2.0 * options.eps);
        const double a = analytic[k][o][j];
        const double error = std::abs(a - numeric);
        const double tolerance = options.atol + options.rtol * std::abs(numeric);
        result.max_abs_error = std::max(result.max_abs_error, error);
        const bool bad = !(error <= tolerance);  // NaN fails too
        if (bad) result.ok = false;
        if (error - tolerance > worst_excess || (bad && std::isnan(error))) {
          worst_excess = std::isnan(error) ? INFINITY : error - tolerance;
          std::ostringstream report;
          report << "input " << checked[k] << " (shape " << x.shape() << ") at index "
                 << index_string(x.shape(), static_cast<int64_t>(j)) << ", output element "
                 << index_string(out.shape(), o) << ": analytic " << a << ", numeric "
                 << numeric << " (|difference| " << error << ", tolerance " << tolerance << ")";
          result.report = report.str();
        }
      }
    }
  }
  result.report = (result.ok ? "gradcheck passed; worst element: " : "gradcheck failed: ") +
                  result.report;
  return result;
}

}  // namespace nabla::autograd
