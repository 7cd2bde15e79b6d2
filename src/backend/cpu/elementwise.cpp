// Unary and binary elementwise kernels. Each op is a small lambda; the loop specialises the
// common stride patterns (all unit, or one operand broadcast as a scalar) so they vectorise.
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"
#include "backend/rational_tanh.hpp"

namespace nabla::cpu {

namespace {

template <class R, class T, class Op>
void binary_loop(const View& out, const View& a, const View& b, Op op) {
  R* o = out.ptr<R>();
  const T* pa = a.ptr<T>();
  const T* pb = b.ptr<T>();
  for_each_row<3>(out.shape, {&out.strides, &a.strides, &b.strides},
                  [&](auto off, int64_t n, auto st) {
                    R* y = o + off[0];
                    const T* x0 = pa + off[1];
                    const T* x1 = pb + off[2];
                    if (st[0] == 1 && st[1] == 1 && st[2] == 1) {
                      for (int64_t i = 0; i < n; ++i) y[i] = op(x0[i], x1[i]);
                    } else if (st[0] == 1 && st[1] == 1 && st[2] == 0) {
                      const T s = *x1;
                      for (int64_t i = 0; i < n; ++i) y[i] = op(x0[i], s);
                    } else if (st[0] == 1 && st[1] == 0 && st[2] == 1) {
                      const T s = *x0;
                      for (int64_t i = 0; i < n; ++i) y[i] = op(s, x1[i]);
                    } else {
                      for (int64_t i = 0; i < n; ++i)
                        y[i * st[0]] = op(x0[i * st[1]], x1[i * st[2]]);
                    }
                  });
}

template <class T>
void binary_typed(OpId op, const View& out, const View& a, const View& b) {
  switch (op) {
    case OpId::add: return binary_loop<T, T>(out, a, b, [](T x, T y) { return x + y; });
    case OpId::sub: return binary_loop<T, T>(out, a, b, [](T x, T y) { return x - y; });
    case OpId::mul: return binary_loop<T, T>(out, a, b, [](T x, T y) { return x * y; });
    case OpId::div: return binary_loop<T, T>(out, a, b, [](T x, T y) { return x / y; });
    case OpId::pow: return binary_loop<T, T>(out, a, b, [](T x, T y) { return std::pow(x, y); });
    case OpId::relu_grad:
      return binary_loop<T, T>(out, a, b, [](T g, T y) { return y > T(0) ? g : T(0); });
    // NaN propagates, as torch.maximum.
    case OpId::maximum:
      return binary_loop<T, T>(out, a, b, [](T x, T y) { return x != x ? x : (x > y ? x : y); });
    case OpId::minimum:
      return binary_loop<T, T>(out, a, b, [](T x, T y) { return x != x ? x : (x < y ? x : y); });
    case OpId::eq: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x == y; });
    case OpId::ne: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x != y; });
    case OpId::lt: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x < y; });
    case OpId::le: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x <= y; });
    case OpId::gt: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x > y; });
    case OpId::ge: return binary_loop<bool, T>(out, a, b, [](T x, T y) { return x >= y; });
    default: NABLA_FAIL("cpu binary: '", op_name(op), "' is not a binary op");
  }
}

template <class T>
void unary_typed(OpId op, const View& out, const View& in, const UnaryArgs& args) {
  switch (op) {
    case OpId::neg: return unary_loop<T>(out, in, [](T x) { return -x; });
    case OpId::exp: return unary_loop<T>(out, in, [](T x) { return std::exp(x); });
    case OpId::log: return unary_loop<T>(out, in, [](T x) { return std::log(x); });
    case OpId::sqrt: return unary_loop<T>(out, in, [](T x) { return std::sqrt(x); });
    case OpId::abs: return unary_loop<T>(out, in, [](T x) { return std::abs(x); });
    case OpId::sign:
      return unary_loop<T>(out, in, [](T x) { return static_cast<T>((T(0) < x) - (x < T(0))); });
    case OpId::relu: return unary_loop<T>(out, in, [](T x) { return x > T(0) ? x : T(0); });
    case OpId::sigmoid:
      return unary_loop<T>(out, in, [](T x) { return sigmoid_of(x); });
    // has_a: the opt-in ratio of polynomials (functional::tanh(x, "rational")); it vectorises,
    // where std::tanh is a scalar libm call per element.
    case OpId::tanh:
      if (args.has_a) return unary_loop<T>(out, in, [](T x) { return rational_tanh(x); });
      return unary_loop<T>(out, in, [](T x) { return std::tanh(x); });
    case OpId::pow_scalar: {
      const T e = static_cast<T>(args.a);
      if (args.a == 2.0) return unary_loop<T>(out, in, [](T x) { return x * x; });
      return unary_loop<T>(out, in, [e](T x) { return std::pow(x, e); });
    }
    case OpId::clamp: {
      const T lo = args.has_a ? static_cast<T>(args.a) : -INFINITY;
      const T hi = args.has_b ? static_cast<T>(args.b) : INFINITY;
      // NaN stays NaN, as torch.clamp.
      return unary_loop<T>(out, in, [lo, hi](T x) { return x != x ? x : std::min(std::max(x, lo), hi); });
    }
    default:
      if (activation_unary<T>(op, out, in, args)) return;  // activation.cpp
      NABLA_FAIL("cpu unary: '", op_name(op), "' is not a unary op");
  }
}

}  // namespace

void CpuBackend::binary(OpId op, const View& out, const View& a, const View& b) {
  if (a.dtype == DType::i64)  // comparisons of indices
    return binary_typed<int64_t>(op, out, a, b);
  visit_floating(a.dtype, op_name(op), [&](auto tag) {
    binary_typed<typename decltype(tag)::type>(op, out, a, b);
  });
}

void CpuBackend::unary(OpId op, const View& out, const View& in, const UnaryArgs& args) {
  visit_floating(in.dtype, op_name(op), [&](auto tag) {
    unary_typed<typename decltype(tag)::type>(op, out, in, args);
  });
}

}  // namespace nabla::cpu
