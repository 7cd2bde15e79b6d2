// Parameter initialisation, in place, as torch.nn.init (names, defaults and formulas).
//   xavier_uniform_: U(-a, a), a = gain · √(6 / (fan_in + fan_out))      (Glorot & Bengio)
//   xavier_normal_:  N(0, σ²), σ = gain · √(2 / (fan_in + fan_out))
//   kaiming_uniform_: U(-b, b), b = gain · √(3 / fan)                    (He et al.)
//   kaiming_normal_:  N(0, σ²), σ = gain / √fan
// fan_in of a [out, in, k...] weight is in · Πk, fan_out is out · Πk.
#pragma once
#pragma GCC visibility push(default)

#include <string>
#include <utility>

#include "nabla/tensor.hpp"

namespace nabla::nn::init {

enum class FanMode { fan_in, fan_out };

// torch.nn.init.calculate_gain: linear/conv/sigmoid 1, tanh 5/3, relu √2,
// leaky_relu √(2 / (1 + slope²)) (slope `param`, default 0.01), selu 3/4.
double calculate_gain(const std::string& nonlinearity, double param = 0.01);
std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& weight);

void zeros_(const Tensor& t);
void ones_(const Tensor& t);
void constant_(const Tensor& t, double value);
void uniform_(const Tensor& t, double a = 0.0, double b = 1.0);
void normal_(const Tensor& t, double mean = 0.0, double std = 1.0);
void xavier_uniform_(const Tensor& t, double gain = 1.0);
void xavier_normal_(const Tensor& t, double gain = 1.0);
void kaiming_uniform_(const Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                      const std::string& nonlinearity = "leaky_relu");
void kaiming_normal_(const Tensor& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                     const std::string& nonlinearity = "leaky_relu");
// torch.nn.init.orthogonal_: t viewed as [rows, cols] = [size(0), numel / size(0)] becomes
// gain · Q, Q from the QR decomposition of a standard normal matrix (of its transpose when
// rows < cols), with torch's sign fix (Q · sign(diag R)) so Q is Haar-distributed. Q has
// orthonormal columns (rows >= cols) or rows (rows < cols). Saxe et al.'s init for deep nets.
void orthogonal_(const Tensor& t, double gain = 1.0);
// torch's nn.Linear / nn.Conv2d reset_parameters: weight kaiming_uniform_(a = √5), i.e.
// U(±1/√fan_in), and bias (if defined) U(±1/√fan_in), fan_in from the weight.
void linear_default_(const Tensor& weight, const Tensor& bias = Tensor());

}  // namespace nabla::nn::init

#pragma GCC visibility pop
