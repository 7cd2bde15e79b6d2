// Fused optimizer updates, one thread per element: the arithmetic of the CPU's
// optimizer_step.cpp (torch 1.13's _single_tensor_* rules, same association order) applied to
// param, grad and the state buffers in one pass. Per-step scalars (bias corrections, the
// decayed learning rate) are computed on the host in double, as the CPU does.
#include "backend/cuda/device_math.cuh"
#include "backend/cuda/launch.cuh"

namespace nabla::cuda {

namespace {

template <class T> struct Operands {
  T* p;
  const T* g;
  T* s0;
  T* s1;
  T* s2;
  int64_t n;
};

// The step's scalars in the kernel's type; fields unused by an op stay zero.
template <class T> struct StepScalars {
  T lr, mu, keep;                       // sgd (mu also rmsprop's momentum)
  T clr;                                // adagrad's decayed lr
  T rho, one_minus_rho;                 // adadelta
  T alpha, one_minus_alpha;             // rmsprop
  T beta1, beta2, one_minus_beta1, one_minus_beta2, step_size, bias_correction2_sqrt, decay;
  T eps;
  double weight_decay;                  // coupled L2 term (0 for AdamW)
  bool maximize, first_step, nesterov, centered, amsgrad, decoupled, momentum;
};

// The gradient as torch's updates first rewrite it: negated for maximize, plus coupled L2 decay.
template <class T>
__device__ inline T effective_grad(T g, T p, const StepScalars<T>& s) {
  if (s.maximize) g = -g;
  if (s.weight_decay != 0.0) g = g + static_cast<T>(s.weight_decay) * p;
  return g;
}

template <class T> __global__ void sgd_kernel(Operands<T> o, StepScalars<T> s) {
  for (int64_t i = first_index(); i < o.n; i += grid_stride()) {
    T d = effective_grad(o.g[i], o.p[i], s);
    if (s.momentum) {
      // torch: buf = d on the first step (no dampening), then buf = mu*buf + (1-dampening)*d.
      const T buf = s.first_step ? d : o.s0[i] * s.mu + s.keep * d;
      o.s0[i] = buf;
      d = s.nesterov ? d + s.mu * buf : buf;
    }
    o.p[i] = o.p[i] + (-s.lr) * d;
  }
}

template <class T> __global__ void adagrad_kernel(Operands<T> o, StepScalars<T> s) {
  for (int64_t i = first_index(); i < o.n; i += grid_stride()) {
    const T g = effective_grad(o.g[i], o.p[i], s);
    const T sum = o.s0[i] + g * g;
    o.s0[i] = sum;
    o.p[i] = o.p[i] + (-s.clr) * g / (math::sqrt(sum) + s.eps);
  }
}

template <class T> __global__ void adadelta_kernel(Operands<T> o, StepScalars<T> s) {
  for (int64_t i = first_index(); i < o.n; i += grid_stride()) {
    const T g = effective_grad(o.g[i], o.p[i], s);
    const T square_avg = o.s0[i] * s.rho + s.one_minus_rho * g * g;
    o.s0[i] = square_avg;
    const T std_dev = math::sqrt(square_avg + s.eps);
    const T delta = math::sqrt(o.s1[i] + s.eps) / std_dev * g;
    o.s1[i] = o.s1[i] * s.rho + s.one_minus_rho * delta * delta;
    o.p[i] = o.p[i] + (-s.lr) * delta;
  }
}

template <class T> __global__ void rmsprop_kernel(Operands<T> o, StepScalars<T> s) {
  for (int64_t i = first_index(); i < o.n; i += grid_stride()) {
    const T g = effective_grad(o.g[i], o.p[i], s);
    const T square_avg = o.s0[i] * s.alpha + s.one_minus_alpha * g * g;
    o.s0[i] = square_avg;
    T avg;
    if (s.centered) {
      const T grad_avg = o.s2[i] * s.alpha + s.one_minus_alpha * g;
      o.s2[i] = grad_avg;
      avg = math::sqrt(square_avg + T(-1) * grad_avg * grad_avg);
    } else {
      avg = math::sqrt(square_avg);
    }
    avg = avg + s.eps;
    if (s.momentum) {
      const T buf = o.s1[i] * s.mu + g / avg;
      o.s1[i] = buf;
      o.p[i] = o.p[i] + (-s.lr) * buf;
    } else {
      o.p[i] = o.p[i] + (-s.lr) * g / avg;
    }
  }
}

template <class T> __global__ void adam_kernel(Operands<T> o, StepScalars<T> s) {
  for (int64_t i = first_index(); i < o.n; i += grid_stride()) {
    if (s.decoupled) o.p[i] = o.p[i] * s.decay;
    const T g = effective_grad(o.g[i], o.p[i], s);
    const T m = o.s0[i] * s.beta1 + s.one_minus_beta1 * g;
    const T v = o.s1[i] * s.beta2 + s.one_minus_beta2 * g * g;
    o.s0[i] = m;
    o.s1[i] = v;
    T second = v;
    if (s.amsgrad) {
      // torch.maximum propagates NaN from either side.
      second = o.s2[i] < v || v != v ? v : o.s2[i];
      o.s2[i] = second;
    }
    const T denom = math::sqrt(second) / s.bias_correction2_sqrt + s.eps;
    o.p[i] = o.p[i] + (-s.step_size) * m / denom;
  }
}

template <class T> StepScalars<T> scalars_of(OpId op, const OptimizerStepArgs& a) {
  auto t = [](double v) { return static_cast<T>(v); };
  StepScalars<T> s{};
  s.lr = t(a.lr);
  s.mu = t(a.momentum);
  s.keep = t(1.0 - a.dampening);
  s.clr = t(a.lr / (1.0 + static_cast<double>(a.step - 1) * a.lr_decay));
  s.rho = t(a.rho);
  s.one_minus_rho = t(1.0 - a.rho);
  s.alpha = t(a.alpha);
  s.one_minus_alpha = t(1.0 - a.alpha);
  s.beta1 = t(a.beta1);
  s.beta2 = t(a.beta2);
  s.one_minus_beta1 = t(1.0 - a.beta1);
  s.one_minus_beta2 = t(1.0 - a.beta2);
  const double step = static_cast<double>(a.step);
  if (op == OpId::adam_step) {  // step >= 1 there; other ops leave these unused
    s.step_size = t(a.lr / (1.0 - std::pow(a.beta1, step)));
    s.bias_correction2_sqrt = t(std::sqrt(1.0 - std::pow(a.beta2, step)));
  }
  s.decay = t(1.0 - a.lr * a.weight_decay);  // AdamW's decoupled factor
  s.eps = t(a.eps);
  s.weight_decay = op == OpId::adam_step && a.decoupled_weight_decay ? 0.0 : a.weight_decay;
  s.maximize = a.maximize;
  s.first_step = a.first_step;
  s.nesterov = a.nesterov;
  s.centered = a.centered;
  s.amsgrad = a.amsgrad;
  s.decoupled = a.decoupled_weight_decay;
  s.momentum = op == OpId::rmsprop_step ? a.momentum > 0.0 : a.momentum != 0.0;
  return s;
}

template <class T> void launch(OpId op, const OptimizerStepArgs& args, cudaStream_t stream) {
  const Operands<T> o{args.param.ptr<T>(), args.grad.ptr<T>(), args.state[0].ptr<T>(),
                      args.state[1].ptr<T>(), args.state[2].ptr<T>(), args.param.numel()};
  const StepScalars<T> s = scalars_of<T>(op, args);
  const unsigned int blocks = blocks_for(o.n);
  switch (op) {
    case OpId::sgd_step: sgd_kernel<T><<<blocks, kThreads, 0, stream>>>(o, s); break;
    case OpId::adagrad_step: adagrad_kernel<T><<<blocks, kThreads, 0, stream>>>(o, s); break;
    case OpId::adadelta_step: adadelta_kernel<T><<<blocks, kThreads, 0, stream>>>(o, s); break;
    case OpId::rmsprop_step: rmsprop_kernel<T><<<blocks, kThreads, 0, stream>>>(o, s); break;
    case OpId::adam_step: adam_kernel<T><<<blocks, kThreads, 0, stream>>>(o, s); break;
    default: NABLA_FAIL("cuda optimizer_step: '", op_name(op), "' is not an optimizer op");
  }
  NABLA_CUDA_CHECK_LAUNCH();
}

}  // namespace

void CudaBackend::optimizer_step(OpId op, const OptimizerStepArgs& args) {
  if (args.param.numel() == 0) return;
  visit_floating(args.param.dtype, op_name(op),
                 [&](auto tag) { launch<typename decltype(tag)::type>(op, args, stream_); });
}

}  // namespace nabla::cuda
