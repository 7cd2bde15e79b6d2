// Elementwise binary arithmetic with broadcasting. Each backward sums its gradient back to the
// input's shape (sum_to), the reverse of the broadcast.
//   add  z = a + b        da = g              db = g
//   sub  z = a - b        da = g              db = -g
//   mul  z = a * b        da = g * b          db = g * a
//   div  z = a / b        da = g / b          db = -g * a / b^2
//   pow  z = a ^ b        da = g * b * a^(b-1) db = g * z * log(a)   (0 where a == 0)
//   maximum / minimum     the gradient goes to the larger / smaller input, split on ties
#include "ops/op_helpers.hpp"

namespace nabla {

using namespace ops;

namespace {
Grads reduce_to_inputs(const Tensor& ga, const Tensor& gb, const GradMask& needs,
                       const Shape& a_shape, const Shape& b_shape) {
  return {needs[0] ? sum_to(ga, a_shape) : Tensor(), needs[1] ? sum_to(gb, b_shape) : Tensor()};
}
}  // namespace

Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = run_binary(OpId::add, a, b);
  autograd::record("add", {a, b}, out,
                   [sa = a.shape(), sb = b.shape()](const Tensor& g, const GradMask& needs) {
                     return reduce_to_inputs(g, g, needs, sa, sb);
                   });
  return out;
}

Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = run_binary(OpId::sub, a, b);
  autograd::record("sub", {a, b}, out,
                   [sa = a.shape(), sb = b.shape()](const Tensor& g, const GradMask& needs) {
                     return reduce_to_inputs(g, needs[1] ? neg(g) : Tensor(), needs, sa, sb);
                   });
  return out;
}

Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = run_binary(OpId::mul, a, b);
  autograd::record("mul", {a, b}, out,
                   [sa = SavedTensor(a, "mul"), sb = SavedTensor(b, "mul")](
                       const Tensor& g, const GradMask& needs) {
                     const Tensor a = sa.get(), b = sb.get();
                     return reduce_to_inputs(needs[0] ? g * b : Tensor(),
                                             needs[1] ? g * a : Tensor(), needs, a.shape(),
                                             b.shape());
                   });
  return out;
}

Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = run_binary(OpId::div, a, b);
  autograd::record("div", {a, b}, out,
                   [sa = SavedTensor(a, "div"), sb = SavedTensor(b, "div")](
                       const Tensor& g, const GradMask& needs) {
                     const Tensor a = sa.get(), b = sb.get();
                     const Tensor ga = needs[0] || needs[1] ? g / b : Tensor();
                     return reduce_to_inputs(ga, needs[1] ? -(ga * a / b) : Tensor(), needs,
                                             a.shape(), b.shape());
                   });
  return out;
}

Tensor pow(const Tensor& base, const Tensor& exponent) {
  Tensor out = run_binary(OpId::pow, base, exponent);
  autograd::record("pow", {base, exponent}, out,
                   [sa = SavedTensor(base, "pow"), sb = SavedTensor(exponent, "pow"),
                    so = SavedTensor(out, "pow")](const Tensor& g, const GradMask& needs) {
                     const Tensor a = sa.get(), b = sb.get();
                     Tensor ga, gb;
                     if (needs[0]) ga = g * b * pow(a, b - 1.0);
                     if (needs[1]) {
                       const Tensor zero = scalar_like(0.0, a);
                       gb = where(eq(a, zero), zero, g * so.get() * log(a));
                     }
                     return reduce_to_inputs(ga, gb, needs, a.shape(), b.shape());
                   });
  return out;
}

namespace {
// d max(a, b) / da = 1 where a wins, 1/2 on ties, 0 where b wins (torch's convention).
Tensor extremum(OpId op, const char* name, const Tensor& a, const Tensor& b) {
  Tensor out = run_binary(op, a, b);
  autograd::record(name, {a, b}, out,
                   [sa = SavedTensor(a, name), sb = SavedTensor(b, name), op](
                       const Tensor& g, const GradMask& needs) {
                     const Tensor a = sa.get(), b = sb.get();
                     const Tensor zero = scalar_like(0.0, g);
                     const Tensor a_wins = op == OpId::maximum ? gt(a, b) : lt(a, b);
                     const Tensor b_wins = op == OpId::maximum ? lt(a, b) : gt(a, b);
                     const Tensor tie = where(eq(a, b), g * 0.5, zero);
                     return reduce_to_inputs(where(a_wins, g, tie), where(b_wins, g, tie), needs,
                                             a.shape(), b.shape());
                   });
  return out;
}
}  // namespace

Tensor maximum(const Tensor& a, const Tensor& b) { return extremum(OpId::maximum, "maximum", a, b); }
Tensor minimum(const Tensor& a, const Tensor& b) { return extremum(OpId::minimum, "minimum", a, b); }

Tensor operator+(const Tensor& a, const Tensor& b) { return add(a, b); }
Tensor operator-(const Tensor& a, const Tensor& b) { return sub(a, b); }
Tensor operator*(const Tensor& a, const Tensor& b) { return mul(a, b); }
Tensor operator/(const Tensor& a, const Tensor& b) { return div(a, b); }
Tensor operator-(const Tensor& x) { return neg(x); }
Tensor operator+(const Tensor& a, double b) { return add(a, scalar_like(b, a)); }
Tensor operator-(const Tensor& a, double b) { return sub(a, scalar_like(b, a)); }
Tensor operator*(const Tensor& a, double b) { return mul(a, scalar_like(b, a)); }
Tensor operator/(const Tensor& a, double b) { return div(a, scalar_like(b, a)); }
Tensor operator+(double a, const Tensor& b) { return add(scalar_like(a, b), b); }
Tensor operator-(double a, const Tensor& b) { return sub(scalar_like(a, b), b); }
Tensor operator*(double a, const Tensor& b) { return mul(scalar_like(a, b), b); }
Tensor operator/(double a, const Tensor& b) { return div(scalar_like(a, b), b); }

}  // namespace nabla
