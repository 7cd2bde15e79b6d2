// The value of every unary op of op_list.def at one element, torch 1.13's formulas as in the
// CPU's elementwise.cpp and activation.cpp (see there for the table). Each *_grad op gives
// dy/dx at x; the op's backward multiplies it by the incoming gradient.
#pragma once

#include "backend/backend.hpp"
#include "backend/cuda/device_math.cuh"
#include "backend/rational_tanh.hpp"

namespace nabla::cuda {

// UnaryArgs in the kernel's type, converted once on the host as the CPU converts them.
template <class T> struct UnaryParams {
  T a, b;      // pow_scalar's exponent; leaky_relu's slope; elu's alpha; softplus's β and t
  T lo, hi;    // clamp's bounds (±inf where absent)
  bool square;     // pow_scalar with exponent 2: x * x, as the CPU
  bool tanh_form;  // gelu / gelu_grad: torch's approximate="tanh"
  bool rational;   // tanh: the ratio of polynomials of rational_tanh.hpp, as the CPU
};

template <class T> __device__ inline T gelu_value(T x, bool tanh_form, bool grad) {
  constexpr double kSqrtHalf = 0.70710678118654752440;     // 1/√2
  constexpr double kInvSqrt2Pi = 0.39894228040143267794;   // 1/√(2π)
  constexpr double kSqrt2OverPi = 0.79788456080286535588;  // √(2/π)
  const T k = static_cast<T>(kSqrt2OverPi), c = static_cast<T>(0.044715);
  if (!tanh_form) {
    if (!grad) return x * T(0.5) * (T(1) + math::erf(x * static_cast<T>(kSqrtHalf)));
    const T cdf = T(0.5) * (T(1) + math::erf(x * static_cast<T>(kSqrtHalf)));
    return cdf + x * static_cast<T>(kInvSqrt2Pi) * math::exp(T(-0.5) * x * x);
  }
  const T th = math::tanh(k * (x + c * x * x * x));
  if (!grad) return T(0.5) * x * (T(1) + th);
  return T(0.5) * (T(1) + th) + T(0.5) * x * (T(1) - th * th) * k * (T(1) + T(3) * c * x * x);
}

template <class T> __device__ inline T unary_value(OpId op, T x, const UnaryParams<T>& p) {
  switch (op) {
    case OpId::neg: return -x;
    case OpId::exp: return math::exp(x);
    case OpId::log: return math::log(x);
    case OpId::sqrt: return math::sqrt(x);
    case OpId::abs: return math::abs(x);
    case OpId::sign: return static_cast<T>((T(0) < x) - (x < T(0)));
    case OpId::relu: return x > T(0) ? x : T(0);
    case OpId::sigmoid: return math::sigmoid(x);
    case OpId::tanh: return p.rational ? rational_tanh(x) : math::tanh(x);
    case OpId::pow_scalar: return p.square ? x * x : math::pow(x, p.a);
    case OpId::clamp: {  // NaN stays NaN, as torch.clamp (and std::min(std::max(x, lo), hi))
      if (x != x) return x;
      const T low = x < p.lo ? p.lo : x;
      return p.hi < low ? p.hi : low;
    }
    case OpId::erf: return math::erf(x);
    case OpId::leaky_relu: return x > T(0) ? x : x * p.a;
    case OpId::leaky_relu_grad: return x > T(0) ? T(1) : p.a;
    case OpId::elu: return x > T(0) ? x : p.a * math::expm1(x);
    case OpId::elu_grad: return x > T(0) ? T(1) : p.a * math::exp(x);
    case OpId::softplus: return x * p.a > p.b ? x : math::log1p(math::exp(x * p.a)) / p.a;
    case OpId::softplus_grad: return x * p.a > p.b ? T(1) : math::sigmoid(x * p.a);
    case OpId::gelu: return gelu_value(x, p.tanh_form, false);
    case OpId::gelu_grad: return gelu_value(x, p.tanh_form, true);
    case OpId::silu: return x * math::sigmoid(x);
    case OpId::silu_grad: {
      const T s = math::sigmoid(x);
      return s * (T(1) + x * (T(1) - s));
    }
    default: return x;  // unreachable: the host checked the op (is_unary_op)
  }
}

// Whether `op` is one unary_value knows, checked on the host before a launch.
inline bool is_unary_op(OpId op) {
  switch (op) {
    case OpId::neg: case OpId::exp: case OpId::log: case OpId::sqrt: case OpId::abs:
    case OpId::sign: case OpId::relu: case OpId::sigmoid: case OpId::tanh:
    case OpId::pow_scalar: case OpId::clamp: case OpId::erf: case OpId::leaky_relu:
    case OpId::leaky_relu_grad: case OpId::elu: case OpId::elu_grad: case OpId::softplus:
    case OpId::softplus_grad: case OpId::gelu: case OpId::gelu_grad: case OpId::silu:
    case OpId::silu_grad:
      return true;
    default:
      return false;
  }
}

}  // namespace nabla::cuda
