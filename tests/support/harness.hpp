// The shared op harness: gradient checks as GoogleTest assertions, inputs in the layouts ops
// must handle (contiguous, transposed, strided), and error-message assertions.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "nabla/nabla.hpp"

namespace nabla::testing {

// EXPECT_TRUE(gradcheck_passes(fn, {x, y})) prints the worst element on failure.
::testing::AssertionResult gradcheck_passes(const autograd::GradcheckFn& fn,
                                            const std::vector<Tensor>& inputs,
                                            autograd::GradcheckOptions options = {});

// A float64 leaf with standard normal values (seeded by the caller via manual_seed).
Tensor randn64(const Shape& shape, bool requires_grad = true);
// Values away from 0 (|x| in [0.5, 1.5]), for log, div, sqrt and kinks.
Tensor away_from_zero64(const Shape& shape, bool requires_grad = true);
// |x| in [0.5, 1.5], a leaf requiring grad: a base for pow whose log is defined, a divisor far
// from 0.
Tensor positive64(const Shape& shape);
// Literal tensors for hand-worked examples.
inline Tensor f64(const std::vector<double>& values, const Shape& shape,
                  bool requires_grad = false) {
  return from_vector(values, shape, requires_grad);
}
inline Tensor i64(const std::vector<int64_t>& values, const Shape& shape) {
  return from_vector(values, shape);
}
// The same values as `t` in a non-contiguous leaf: a step-2 slice of a larger tensor.
Tensor strided_leaf(const Tensor& t, bool requires_grad = true);
// The same values as `t` (2-D or more) in a leaf whose last two dims are transposed in memory.
Tensor transposed_leaf(const Tensor& t, bool requires_grad = true);

// Runs fn, expects a nabla::Error whose message contains every fragment.
::testing::AssertionResult throws_error_containing(const std::function<void()>& fn,
                                                   const std::vector<std::string>& fragments);

// Element-wise comparison with a report of the first mismatch.
::testing::AssertionResult all_close(const Tensor& actual, const Tensor& expected,
                                     double rtol = 1e-6, double atol = 1e-9);

// What printing a module gives (torch's repr), for comparing with torch's text.
std::string module_repr(const nn::Module& module);

}  // namespace nabla::testing
