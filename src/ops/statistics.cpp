// Statistics built from the differentiable reductions, so their gradients come from the chain
// rule rather than a second hand-written formula.
//   var(x) = Σ (x - mean)² / (n - correction)      std = √var
//   logsumexp(x) = m + log Σ exp(x - m), m = max over dims (a constant: no gradient needed,
//   the shift cancels), giving d/dx = softmax(x).
#include <cmath>

#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

Tensor var(const Tensor& x, const Dims& dims, int64_t correction, bool keepdim) {
  const std::vector<int64_t> d = normalize_dims(dims, x.shape(), "var");
  int64_t count = 1;
  for (int64_t dim : d) count *= x.shape()[dim];
  NABLA_CHECK(correction >= 0, "var: correction must be >= 0, got ", correction);
  const Tensor centred = x - mean(x, Dims(d), true);
  // torch returns nan (inf for the numerator's sake) when n <= correction; so does 0/0 here.
  const double denominator = static_cast<double>(std::max<int64_t>(count - correction, 0));
  return sum(centred * centred, Dims(d), keepdim) / denominator;
}

Tensor std_dev(const Tensor& x, const Dims& dims, int64_t correction, bool keepdim) {
  return sqrt(var(x, dims, correction, keepdim));
}

Tensor logsumexp(const Tensor& x, const Dims& dims, bool keepdim) {
  const std::vector<int64_t> d = normalize_dims(dims, x.shape(), "logsumexp");
  Tensor shift = run_reduce(OpId::max, x, d, x.dtype());  // keepdim, no history
  // An infinite max (all -inf, or a +inf) would give inf - inf; shift by 0 there instead.
  shift = where(eq(abs(shift), scalar_like(INFINITY, shift)), scalar_like(0.0, shift), shift);
  Tensor out = log(sum(exp(x - shift), Dims(d), true)) + shift;
  return keepdim ? out : out.reshape(reduced_shape(x.shape(), d, false));
}

}  // namespace nabla
