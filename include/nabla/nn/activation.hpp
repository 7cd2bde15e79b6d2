// Activation modules, torch.nn's names, defaults and reprs; each wraps the function of the same
// name in nabla/nn/functional/activation.hpp (formulas there). PReLU (`weight`, as torch) and a
// learnable TanhLinear (`beta`) are the ones with a parameter; NoisyReLU is the only one that
// differs between train and eval.
#pragma once
#pragma GCC visibility push(default)

#include <string>

#include "nabla/nn/module.hpp"

namespace nabla::nn {

#define NABLA_SIMPLE_ACTIVATION(Name)                 \
  class Name : public Module {                        \
   public:                                            \
    Name() : Module(#Name) {}                         \
    Tensor forward(const Tensor& x) override;         \
  };
NABLA_SIMPLE_ACTIVATION(Sigmoid)
NABLA_SIMPLE_ACTIVATION(ReLU)
NABLA_SIMPLE_ACTIVATION(SiLU)
#undef NABLA_SIMPLE_ACTIVATION

// tanh x; approximate = "rational" uses the fast float32 ratio of polynomials (its error bound
// in docs/activations.md). Repr as torch's, Tanh(), plus approximate='rational' when set.
class Tanh : public Module {
 public:
  explicit Tanh(std::string approximate = "none");
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  std::string approximate_;
};

// 1.7159 · tanh(2x/3), with the same `approximate` choice as Tanh.
class LeCunTanh : public Module {
 public:
  explicit LeCunTanh(std::string approximate = "none");
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  std::string approximate_;
};

struct TanhLinearOptions {
  double beta = 0.1;              // the slope of the linear term; must be finite
  bool learnable = false;         // true: β is the parameter `beta`, initialised to `beta`
  int64_t num_parameters = 1;     // learnable: 1 shared β, or one per channel of dim 1
  std::string approximate = "none";  // "none" or "rational" (the tanh's kernel)
  DType dtype = DType::f32;       // of the parameter
};

// tanh x + β·x (functional::tanh_linear). With learnable = false β is a constant and the module
// has no parameters; with learnable = true it is the parameter `beta` of num_parameters values.
// Repr: TanhLinear(beta=0.1, learnable=False), plus num_parameters and approximate when set.
class TanhLinear : public Module {
 public:
  explicit TanhLinear(TanhLinearOptions options = {});
  Tensor forward(const Tensor& x) override;
  Tensor beta;  // the parameter when learnable, else undefined

 protected:
  std::string extra_repr() const override;

 private:
  TanhLinearOptions options_;
};

class LeakyReLU : public Module {
 public:
  explicit LeakyReLU(double negative_slope = 0.01) : Module("LeakyReLU"), negative_slope_(negative_slope) {}
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  double negative_slope_;
};

// Learnable leaky slope: `weight` holds num_parameters slopes (1 shared, or one per channel of
// dim 1), each initialised to `init`.
class PReLU : public Module {
 public:
  explicit PReLU(int64_t num_parameters = 1, double init = 0.25, DType dtype = DType::f32);
  Tensor forward(const Tensor& x) override;
  Tensor weight;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t num_parameters_;
};

class ELU : public Module {
 public:
  explicit ELU(double alpha = 1.0) : Module("ELU"), alpha_(alpha) {}
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  double alpha_;
};

class Softplus : public Module {
 public:
  explicit Softplus(double beta = 1.0, double threshold = 20.0)
      : Module("Softplus"), beta_(beta), threshold_(threshold) {}
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  double beta_, threshold_;
};

class GELU : public Module {
 public:
  explicit GELU(std::string approximate = "none");  // "none" (erf) or "tanh"
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  std::string approximate_;
};

// max(0, x + N(0, stddev²)) in training mode; a plain ReLU in eval mode.
class NoisyReLU : public Module {
 public:
  explicit NoisyReLU(double stddev);
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  double stddev_;
};

class Softmax : public Module {
 public:
  explicit Softmax(int64_t dim) : Module("Softmax"), dim_(dim) {}
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t dim_;
};

class LogSoftmax : public Module {
 public:
  explicit LogSoftmax(int64_t dim) : Module("LogSoftmax"), dim_(dim) {}
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t dim_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
