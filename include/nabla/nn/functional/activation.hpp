// Activation functions and dropout as plain functions, torch.nn.functional's names, defaults and
// formulas (the modules in nabla/nn/activation.hpp and nabla/nn/dropout.hpp wrap them):
//   tanh(x, approximate)   tanh x; approximate = "rational" uses the fast float32 ratio of
//                          polynomials (src/backend/rational_tanh.hpp; error bound in
//                          docs/activations.md), backward 1 − y² of that approximated y
//   lecun_tanh(x)          1.7159 · tanh(2x/3)                (LeCun et al., "Efficient BackProp")
//   tanh_linear(x, β)      tanh x + β·x: a linear term so the gradient never vanishes in the
//                          saturated tails; β a number, or a tensor of 1 element or one per
//                          channel (dim 1, as prelu's weight) that is learned like any tensor
//   leaky_relu(x, s)       x > 0 ? x : s·x
//   prelu(x, w)            x > 0 ? x : w·x, w of 1 element or one per channel (dim 1)
//   elu(x, α)              x > 0 ? x : α(eˣ − 1)
//   softplus(x, β, t)      log(1 + e^{βx}) / β, and x itself where βx > t (torch's linear branch)
//   gelu(x)                x·Φ(x) (exact, erf); approximate = "tanh" uses torch's tanh formula
//   silu(x)                x·σ(x)
//   noisy_relu(x, σ)       max(0, x + N(0, σ²)) when training, max(0, x) otherwise
//   dropout(x, p)          inverted dropout: when training, zero each element with probability
//                          p and scale the kept ones by 1/(1 − p); identity otherwise
// leaky_relu, elu, softplus, gelu and silu are single kernels each way (op_list.def).
#pragma once
#pragma GCC visibility push(default)

#include <string>

#include "nabla/ops.hpp"

namespace nabla::nn::functional {

Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor tanh(const Tensor& x, const std::string& approximate);  // "none" or "rational"
Tensor lecun_tanh(const Tensor& x);
Tensor lecun_tanh(const Tensor& x, const std::string& approximate);  // "none" or "rational"
// beta must be finite (a tensor β's values are not checked: a learned β is the training's own).
Tensor tanh_linear(const Tensor& x, double beta = 0.1, const std::string& approximate = "none");
Tensor tanh_linear(const Tensor& x, const Tensor& beta, const std::string& approximate = "none");
Tensor relu(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.01);
Tensor prelu(const Tensor& x, const Tensor& weight);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor softplus(const Tensor& x, double beta = 1.0, double threshold = 20.0);
Tensor gelu(const Tensor& x, const std::string& approximate = "none");  // "none" or "tanh"
Tensor silu(const Tensor& x);
Tensor erf(const Tensor& x);
Tensor noisy_relu(const Tensor& x, double stddev, bool training = true);
Tensor softmax(const Tensor& x, int64_t dim);
Tensor log_softmax(const Tensor& x, int64_t dim);

// p must lie in [0, 1]; p = 1 zeroes everything (as torch). Draws from the global Philox
// generator, so the mask is fixed by manual_seed.
Tensor dropout(const Tensor& x, double p = 0.5, bool training = true);

}  // namespace nabla::nn::functional

#pragma GCC visibility pop
