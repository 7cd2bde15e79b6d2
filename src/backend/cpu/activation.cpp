// Activation kernels, torch 1.13's formulas. Each forward has a *_grad twin writing dy/dx at x
// (the op's backward multiplies it by the incoming gradient). Scalar parameters arrive in
// UnaryArgs:
//   erf            erf(x)
//   leaky_relu     x > 0 ? x : a·x                       grad  x > 0 ? 1 : a        (a = slope)
//   elu            x > 0 ? x : a(eˣ − 1)                 grad  x > 0 ? 1 : a·eˣ     (a = alpha)
//   softplus       βx > t ? x : log(1 + e^{βx}) / β      grad  βx > t ? 1 : σ(βx)   (a = β, b = t)
//   gelu           x·Φ(x), Φ the normal CDF              grad  Φ(x) + x·φ(x)
//     has_a:       0.5x(1 + tanh(k(x + 0.044715x³))), k = √(2/π), torch's approximate="tanh"
//   silu           x·σ(x)                                grad  σ(x)(1 + x(1 − σ(x)))
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {

constexpr double kSqrtHalf = 0.70710678118654752440;       // 1/√2
constexpr double kInvSqrt2Pi = 0.39894228040143267794;     // 1/√(2π)
constexpr double kSqrt2OverPi = 0.79788456080286535588;    // √(2/π)
constexpr double kGeluCubic = 0.044715;

template <class T>
void gelu_kernels(OpId op, const View& out, const View& in, bool tanh_form) {
  const T k = static_cast<T>(kSqrt2OverPi), c = static_cast<T>(kGeluCubic);
  if (op == OpId::gelu && !tanh_form)
    return unary_loop<T>(out, in, [](T x) {
      return x * T(0.5) * (T(1) + std::erf(x * static_cast<T>(kSqrtHalf)));
    });
  if (op == OpId::gelu)
    return unary_loop<T>(out, in, [k, c](T x) {
      return T(0.5) * x * (T(1) + std::tanh(k * (x + c * x * x * x)));
    });
  if (!tanh_form)
    return unary_loop<T>(out, in, [](T x) {
      const T cdf = T(0.5) * (T(1) + std::erf(x * static_cast<T>(kSqrtHalf)));
      return cdf + x * static_cast<T>(kInvSqrt2Pi) * std::exp(T(-0.5) * x * x);
    });
  return unary_loop<T>(out, in, [k, c](T x) {
    const T th = std::tanh(k * (x + c * x * x * x));
    return T(0.5) * (T(1) + th) + T(0.5) * x * (T(1) - th * th) * k * (T(1) + T(3) * c * x * x);
  });
}

}  // namespace

template <class T>
bool activation_unary(OpId op, const View& out, const View& in, const UnaryArgs& args) {
  const T a = static_cast<T>(args.a), b = static_cast<T>(args.b);
  switch (op) {
    case OpId::erf: unary_loop<T>(out, in, [](T x) { return std::erf(x); }); return true;
    case OpId::leaky_relu:
      unary_loop<T>(out, in, [a](T x) { return x > T(0) ? x : x * a; });
      return true;
    case OpId::leaky_relu_grad:
      unary_loop<T>(out, in, [a](T x) { return x > T(0) ? T(1) : a; });
      return true;
    case OpId::elu:
      unary_loop<T>(out, in, [a](T x) { return x > T(0) ? x : a * std::expm1(x); });
      return true;
    case OpId::elu_grad:
      unary_loop<T>(out, in, [a](T x) { return x > T(0) ? T(1) : a * std::exp(x); });
      return true;
    case OpId::softplus:
      unary_loop<T>(out, in, [a, b](T x) { return x * a > b ? x : std::log1p(std::exp(x * a)) / a; });
      return true;
    case OpId::softplus_grad:
      unary_loop<T>(out, in, [a, b](T x) { return x * a > b ? T(1) : sigmoid_of(x * a); });
      return true;
    case OpId::gelu:
    case OpId::gelu_grad: gelu_kernels<T>(op, out, in, args.has_a); return true;
    case OpId::silu: unary_loop<T>(out, in, [](T x) { return x * sigmoid_of(x); }); return true;
    case OpId::silu_grad:
      unary_loop<T>(out, in, [](T x) {
        const T s = sigmoid_of(x);
        return s * (T(1) + x * (T(1) - s));
      });
      return true;
    default: return false;
  }
}

template bool activation_unary<float>(OpId, const View&, const View&, const UnaryArgs&);
template bool activation_unary<double>(OpId, const View&, const View&, const UnaryArgs&);

}  // namespace nabla::cpu
