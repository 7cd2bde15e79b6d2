// Fused optimizer updates: each op is one pass over (param, grad, state buffers), element by
// element, instead of torch's chain of in-place tensor ops. The arithmetic follows torch 1.13's
// _single_tensor_* functions operation by operation (same association order), so float64
// results agree with PyTorch to rounding. Every element is independent, so the result does not
// depend on how parallel_for splits the range.
#include <cmath>

#include "backend/cpu/cpu_backend.hpp"
#include "backend/cpu/loops.hpp"

namespace nabla::cpu {

namespace {

// Pointers to the operands of one update, typed.
template <class T> struct Operands {
  T* p;
  const T* g;
  T* s0;
  T* s1;
  T* s2;
  explicit Operands(const OptimizerStepArgs& a)
      : p(a.param.ptr<T>()), g(a.grad.ptr<T>()), s0(a.state[0].ptr<T>()),
        s1(a.state[1].ptr<T>()), s2(a.state[2].ptr<T>()) {}
};

// The gradient as torch's updates first rewrite it: negated for maximize, plus coupled L2 decay.
template <class T> inline T effective_grad(T g, T p, bool maximize, double weight_decay) {
  if (maximize) g = -g;
  if (weight_decay != 0.0) g = g + static_cast<T>(weight_decay) * p;
  return g;
}
template <class T> inline T effective_grad(T g, T p, const OptimizerStepArgs& a) {
  return effective_grad(g, p, a.maximize, a.weight_decay);
}

template <class T> void sgd(const OptimizerStepArgs& a, int64_t begin, int64_t end) {
  const Operands<T> o(a);
  const T lr = static_cast<T>(a.lr), mu = static_cast<T>(a.momentum);
  const T keep = static_cast<T>(1.0 - a.dampening);
  for (int64_t i = begin; i < end; ++i) {
    T d = effective_grad(o.g[i], o.p[i], a);
    if (a.momentum != 0.0) {
      // torch: buf = d on the first step (no dampening), then buf = mu*buf + (1-dampening)*d.
      const T buf = a.first_step ? d : o.s0[i] * mu + keep * d;
      o.s0[i] = buf;
      d = a.nesterov ? d + mu * buf : buf;
    }
    o.p[i] = o.p[i] + (-lr) * d;
  }
}

template <class T> void adagrad(const OptimizerStepArgs& a, int64_t begin, int64_t end) {
  const Operands<T> o(a);
  const T clr = static_cast<T>(a.lr / (1.0 + static_cast<double>(a.step - 1) * a.lr_decay));
  const T eps = static_cast<T>(a.eps);
  for (int64_t i = begin; i < end; ++i) {
    const T g = effective_grad(o.g[i], o.p[i], a);
    const T sum = o.s0[i] + g * g;
    o.s0[i] = sum;
    o.p[i] = o.p[i] + (-clr) * g / (std::sqrt(sum) + eps);
  }
}

template <class T> void adadelta(const OptimizerStepArgs& a, int64_t begin, int64_t end) {
  const Operands<T> o(a);
  const T rho = static_cast<T>(a.rho), one_minus_rho = static_cast<T>(1.0 - a.rho);
  const T eps = static_cast<T>(a.eps), lr = static_cast<T>(a.lr);
  for (int64_t i = begin; i < end; ++i) {
    const T g = effective_grad(o.g[i], o.p[i], a);
    const T square_avg = o.s0[i] * rho + one_minus_rho * g * g;
    o.s0[i] = square_avg;
    const T std_dev = std::sqrt(square_avg + eps);
    const T delta = std::sqrt(o.s1[i] + eps) / std_dev * g;
    o.s1[i] = o.s1[i] * rho + one_minus_rho * delta * delta;
    o.p[i] = o.p[i] + (-lr) * delta;
  }
}

template <class T> void rmsprop(const OptimizerStepArgs& a, int64_t begin, int64_t end) {
  const Operands<T> o(a);
  const T alpha = static_cast<T>(a.alpha), one_minus_alpha = static_cast<T>(1.0 - a.alpha);
  const T eps = static_cast<T>(a.eps), lr = static_cast<T>(a.lr);
  const T mu = static_cast<T>(a.momentum);
  for (int64_t i = begin; i < end; ++i) {
    const T g = effective_grad(o.g[i], o.p[i], a);
    const T square_avg = o.s0[i] * alpha + one_minus_alpha * g * g;
    o.s0[i] = square_avg;
    T avg;
    if (a.centered) {
      const T grad_avg = o.s2[i] * alpha + one_minus_alpha * g;
      o.s2[i] = grad_avg;
      avg = std::sqrt(square_avg + T(-1) * grad_avg * grad_avg);
    } else {
      avg = std::sqrt(square_avg);
    }
    avg = avg + eps;
    if (a.momentum > 0.0) {
      const T buf = o.s1[i] * mu + g / avg;
      o.s1[i] = buf;
      o.p[i] = o.p[i] + (-lr) * buf;
    } else {
      o.p[i] = o.p[i] + (-lr) * g / avg;
    }
  }
}

template <class T> void adam(const OptimizerStepArgs& a, int64_t begin, int64_t end) {
  const Operands<T> o(a);
  const T beta1 = static_cast<T>(a.beta1), beta2 = static_cast<T>(a.beta2);
  const T one_minus_beta1 = static_cast<T>(1.0 - a.beta1);
  const T one_minus_beta2 = static_cast<T>(1.0 - a.beta2);
  const double step = static_cast<double>(a.step);
  const T step_size = static_cast<T>(a.lr / (1.0 - std::pow(a.beta1, step)));
  const T bias_correction2_sqrt = static_cast<T>(std::sqrt(1.0 - std::pow(a.beta2, step)));
  const T eps = static_cast<T>(a.eps);
  const T decay = static_cast<T>(1.0 - a.lr * a.weight_decay);  // AdamW's decoupled factor
  const double l2 = a.decoupled_weight_decay ? 0.0 : a.weight_decay;  // AdamW: no L2 term
  for (int64_t i = begin; i < end; ++i) {
    if (a.decoupled_weight_decay) o.p[i] = o.p[i] * decay;
    const T g = effective_grad(o.g[i], o.p[i], a.maximize, l2);
    const T m = o.s0[i] * beta1 + one_minus_beta1 * g;
    const T v = o.s1[i] * beta2 + one_minus_beta2 * g * g;
    o.s0[i] = m;
    o.s1[i] = v;
    T second = v;
    if (a.amsgrad) {
      // torch.maximum propagates NaN from either side; std::max would drop a NaN in v.
      second = o.s2[i] < v || std::isnan(v) ? v : o.s2[i];
      o.s2[i] = second;
    }
    const T denom = std::sqrt(second) / bias_correction2_sqrt + eps;
    o.p[i] = o.p[i] + (-step_size) * m / denom;
  }
}

template <class T> void run(OpId op, const OptimizerStepArgs& args) {
  auto body = [&](auto kernel) {
    parallel_for(args.param.numel(), kParallelGrain,
                 [&](int64_t begin, int64_t end) { kernel(args, begin, end); });
  };
  switch (op) {
    case OpId::sgd_step: return body(sgd<T>);
    case OpId::adagrad_step: return body(adagrad<T>);
    case OpId::adadelta_step: return body(adadelta<T>);
    case OpId::rmsprop_step: return body(rmsprop<T>);
    case OpId::adam_step: return body(adam<T>);
    default: NABLA_FAIL("cpu optimizer_step: '", op_name(op), "' is not an optimizer op");
  }
}

}  // namespace

void CpuBackend::optimizer_step(OpId op, const OptimizerStepArgs& args) {
  visit_floating(args.param.dtype, op_name(op),
                 [&](auto tag) { run<typename decltype(tag)::type>(op, args); });
}

}  // namespace nabla::cpu
