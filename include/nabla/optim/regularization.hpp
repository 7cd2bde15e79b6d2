// Regularisers outside the optimizers' weight_decay (namespace nabla::optim, where torch keeps
// them in torch.nn.utils and torch.renorm):
//   l1_penalty(params)  = Σ_p Σ |w|      differentiable; add λ·l1_penalty(...) to the loss
//   l2_penalty(params)  = Σ_p Σ w²       (the optimizers' weight_decay is its coupled gradient)
//   apply_max_norm_(w, max_norm, dim)    in place: every slice along `dim` whose 2-norm exceeds
//                                        max_norm is rescaled to norm max_norm (torch.renorm
//                                        with p = 2, maxnorm = max_norm: factor
//                                        max_norm / (norm + 1e-7))
//   clip_grad_norm_(params, max_norm, norm_type = 2)  scales all gradients by
//                                        max_norm / (total_norm + 1e-6) when that is < 1;
//                                        returns total_norm (inf-norm with norm_type = inf)
//   clip_grad_value_(params, clip)       clamps every gradient element to [−clip, clip]
#pragma once
#pragma GCC visibility push(default)

#include <limits>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::optim {

Tensor l1_penalty(const std::vector<Tensor>& params);
Tensor l2_penalty(const std::vector<Tensor>& params);

// Under no-grad, bumps the version like any in-place op. dim: the slices are w.select(dim, i)
// (dim = 0: one slice per row / output unit, as max-norm on a Linear weight).
void apply_max_norm_(const Tensor& weight, double max_norm, int64_t dim = 0);

inline constexpr double kInfNorm = std::numeric_limits<double>::infinity();
double clip_grad_norm_(const std::vector<Tensor>& params, double max_norm,
                       double norm_type = 2.0, bool error_if_nonfinite = false);
void clip_grad_value_(const std::vector<Tensor>& params, double clip_value);

}  // namespace nabla::optim

#pragma GCC visibility pop
