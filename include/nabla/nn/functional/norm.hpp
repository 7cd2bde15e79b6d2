// Normalisation as torch.nn.functional (src/ops/batch_norm.cpp, src/ops/group_norm.cpp,
// src/ops/local_response_norm.cpp, src/ops/dropout2d.cpp). x̂ = (x − μ) / √(σ² + eps) with the
// biased variance σ², then y = γ x̂ + β when weight γ / bias β are given (undefined tensors: none).
//   batch_norm:  μ, σ² per channel over N (and H, W); x is [N, C] or [N, C, ...].
//                training: batch statistics, and running_mean / running_var (when defined)
//                are updated in place: r = (1 − momentum) r + momentum · stat, with the
//                unbiased variance for running_var. Eval: running statistics.
//   layer_norm:  over the last dims given by normalized_shape; γ, β have that shape.
//   group_norm:  over each group of C / num_groups channels (and H, W) per sample; γ, β [C].
//   instance_norm: per sample and channel over H, W; use_input_stats = false normalises with
//                the running statistics instead.
//   local_response_norm: y = x / (k + α/n · Σ_{window of n channels} x²)^β, the window
//                centred on the channel and zero-padded, as torch.
//   dropout2d:   zeroes whole channels with probability p, scales the rest by 1/(1 − p).
//                A 3-D input is (N, C, L), as torch 1.13 reads it (channel-wise 1-D dropout).
#pragma once
#pragma GCC visibility push(default)

#include "nabla/shape.hpp"
#include "nabla/tensor.hpp"

namespace nabla::nn::functional {

Tensor batch_norm(const Tensor& x, const Tensor& running_mean, const Tensor& running_var,
                  const Tensor& weight = {}, const Tensor& bias = {}, bool training = false,
                  double momentum = 0.1, double eps = 1e-5);
Tensor layer_norm(const Tensor& x, const Shape& normalized_shape, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);
Tensor group_norm(const Tensor& x, int64_t num_groups, const Tensor& weight = {},
                  const Tensor& bias = {}, double eps = 1e-5);
Tensor instance_norm(const Tensor& x, const Tensor& running_mean = {},
                     const Tensor& running_var = {}, const Tensor& weight = {},
                     const Tensor& bias = {}, bool use_input_stats = true, double momentum = 0.1,
                     double eps = 1e-5);
Tensor local_response_norm(const Tensor& x, int64_t size, double alpha = 1e-4, double beta = 0.75,
                           double k = 1.0);
Tensor dropout2d(const Tensor& x, double p = 0.5, bool training = true);

}  // namespace nabla::nn::functional

#pragma GCC visibility pop
