// tanh as a ratio of polynomials: the fast opt-in kernel of OpId::tanh (UnaryArgs.has_a; CPU
// and CUDA), nn::functional::tanh(x, "rational"):
//   tanh(x) ≈ x · P(x²) / Q(x²),  P of degree 5 and Q of degree 4 in x², P(0) = Q(0) = 1,
// for |x| < kRationalTanhClamp with |y| capped at 1, and ±1 from the clamp on (float32's tanh
// already rounds to ±1 there: 1 − tanh(x) < 2⁻²⁵ from x = 13·ln 2 ≈ 9.011). NaN gives NaN, ±inf
// gives ±1.
//
// The coefficients minimise the largest relative error of the ratio on [0, 9.02], then are
// rounded to float32 (dev/kernels/fit_rational_tanh.py fits them): 8.2e-9 relative error in
// exact arithmetic, so float32 rounding of the 12 operations dominates. bench/tanh_error.cpp
// measures the compiled kernel over every float32 bit pattern (docs/activations.md has the
// figures). P(0) = Q(0) = 1 makes tiny x come back exactly (x² underflows, x·1/1 = x), so no
// branch is needed near 0. No std:: and no branch but selects, so it vectorises on the CPU (8
// floats per AVX2 instruction) and compiles in CUDA kernels; float64 evaluates the same
// function (not a float64-accurate tanh: its error is the ratio's, about 3e-8).
#pragma once

#ifdef __CUDACC__
#define NABLA_RATIONAL_TANH_FN __host__ __device__ inline
#else
#define NABLA_RATIONAL_TANH_FN inline
#endif

namespace nabla {

constexpr float kRationalTanhClamp = 9.02f;

// a·b + c, fused where the target has FMA (x86-64-v3, the release preset; every CUDA GPU): one
// rounding per Horner step instead of two, which more than halves the worst error near ±1.
NABLA_RATIONAL_TANH_FN float rational_tanh_madd(float a, float b, float c) {
#if defined(__CUDA_ARCH__)
  return fmaf(a, b, c);
#elif defined(__FMA__)
  return __builtin_fmaf(a, b, c);
#else
  return a * b + c;
#endif
}
NABLA_RATIONAL_TANH_FN double rational_tanh_madd(double a, double b, double c) {
#if defined(__CUDA_ARCH__)
  return fma(a, b, c);
#elif defined(__FMA__)
  return __builtin_fma(a, b, c);
#else
  return a * b + c;
#endif
}

template <class T> NABLA_RATIONAL_TANH_FN T rational_tanh(T x) {
  const T c = static_cast<T>(kRationalTanhClamp);
  // Only t is clamped (a min, which vectorises; clamping x too lets the compiler thread jumps
  // between the comparisons, and the loop stops vectorising): beyond the clamp the ratio is
  // x · P(c²)/Q(c²), finite, and the final select makes it ±1. NaN fails every comparison and
  // stays NaN; ±inf gives a ratio of ±inf, then ±1.
  T t = x * x;
  t = t > c * c ? c * c : t;
  T p = static_cast<T>(-1.226115563e-11f);
  p = rational_tanh_madd(p, t, static_cast<T>(3.067047061e-08f));
  p = rational_tanh_madd(p, t, static_cast<T>(2.804562428e-05f));
  p = rational_tanh_madd(p, t, static_cast<T>(3.870297922e-03f));
  p = rational_tanh_madd(p, t, static_cast<T>(1.368150860e-01f));
  p = rational_tanh_madd(p, t, T(1));
  T q = static_cast<T>(1.289948727e-06f);
  q = rational_tanh_madd(q, t, static_cast<T>(3.942048061e-04f));
  q = rational_tanh_madd(q, t, static_cast<T>(2.725311741e-02f));
  q = rational_tanh_madd(q, t, static_cast<T>(4.701484144e-01f));
  q = rational_tanh_madd(q, t, T(1));
  const T y = x * p / q;
  // Clamp y to [lo, hi]: [-1, 1] below the clamp (rounding can carry the ratio a hair past ±1,
  // tanh never does, and the backward's 1 − y² must not turn negative), [1, 1] and [-1, -1]
  // beyond it (exactly ±1 there, where the ratio wobbles by an ulp). Selecting between
  // constants, then min / max, keeps the loop branch-free: a select between y and a constant
  // would be compiled as a branch around the division, which does not vectorise.
  const T lo = x >= c ? T(1) : T(-1);
  const T hi = x <= -c ? T(-1) : T(1);
  const T above = y < lo ? lo : y;
  return above > hi ? hi : above;
}

}  // namespace nabla

#undef NABLA_RATIONAL_TANH_FN
