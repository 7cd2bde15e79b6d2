// Loss functions, torch 1.13's nn.functional definitions, defaults and reductions. `input` is
// [N, C] or [N, C, d1, ...] (or unbatched [C]) for the classification losses, with class
// indices (int64, [N] / [N, d1, ...] / 0-d) or class probabilities (floating, input's shape).
//   cross_entropy   −Σ_c a_c log softmax(x)_c per sample, one fused op; class indices give
//                   a = (1 − ε)·w_y·onehot(y) + ε/C·w (ε = label_smoothing, w = weight), and
//                   reduction "mean" divides by Σ w_y over non-ignored samples (torch's
//                   weighted mean); probabilities give a = w·((1 − ε)q + ε/C) and "mean"
//                   divides by the number of samples.
//   nll_loss        −w_y·x_y, "mean" divides by Σ w_y over non-ignored samples
//   binary_cross_entropy              −w(t log x + (1 − t) log(1 − x)), each log clamped ≥ −100
//   binary_cross_entropy_with_logits  −w(p·t log σ(x) + (1 − t) log(1 − σ(x))), p = pos_weight,
//                                     computed in the stable log-sum-exp form
//   mse_loss (x − t)²    l1_loss |x − t|
//   huber_loss      |d| < δ ? d²/2 : δ(|d| − δ/2)
//   smooth_l1_loss  |d| < β ? d²/(2β) : |d| − β/2   (β = 0 is l1_loss)
//   multi_margin_loss  Σ_{j≠y} w_y·max(0, margin − x_y + x_j)^p / C, p ∈ {1, 2}
// Regression losses need input and target of one shape (torch warns and broadcasts; nabla
// refuses, since a broadcast there is nearly always a bug).
#pragma once
#pragma GCC visibility push(default)

#include <string>

#include "nabla/ops.hpp"

namespace nabla::nn::functional {

// "none" | "mean" | "sum"; converts from a string (an unknown one is an Error) or the enum.
class Reduction {
 public:
  enum Kind { none, mean, sum };
  Reduction(Kind kind) : kind_(kind) {}  // NOLINT: implicit on purpose
  Reduction(const char* name);           // NOLINT
  Reduction(const std::string& name);    // NOLINT
  Kind kind() const { return kind_; }
  const char* name() const;
  bool operator==(const Reduction& other) const = default;

 private:
  Kind kind_ = mean;
};

// Applies a reduction to per-element losses.
Tensor reduce_loss(const Tensor& loss, Reduction reduction);

struct CrossEntropyOptions {
  Tensor weight{};              // [C] class weights; undefined = all 1
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::mean;
  double label_smoothing = 0.0;
};
Tensor cross_entropy(const Tensor& input, const Tensor& target,
                     const CrossEntropyOptions& options = {});

struct NLLLossOptions {
  Tensor weight{};
  int64_t ignore_index = -100;
  Reduction reduction = Reduction::mean;
};
Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options = {});

struct BCEOptions {
  Tensor weight{};      // broadcast against the input
  Tensor pos_weight{};  // with_logits only: broadcast along the last (class) dim
  Reduction reduction = Reduction::mean;
};
Tensor binary_cross_entropy(const Tensor& input, const Tensor& target,
                            const BCEOptions& options = {});
Tensor binary_cross_entropy_with_logits(const Tensor& input, const Tensor& target,
                                        const BCEOptions& options = {});

Tensor mse_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
Tensor l1_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean);
Tensor huber_loss(const Tensor& input, const Tensor& target, Reduction reduction = Reduction::mean,
                  double delta = 1.0);
Tensor smooth_l1_loss(const Tensor& input, const Tensor& target,
                      Reduction reduction = Reduction::mean, double beta = 1.0);

struct MultiMarginLossOptions {
  int64_t p = 1;  // 1: hinge (the notes' multiclass SVM); 2: squared hinge
  double margin = 1.0;
  Tensor weight{};
  Reduction reduction = Reduction::mean;
};
Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                         const MultiMarginLossOptions& options = {});

}  // namespace nabla::nn::functional

#pragma GCC visibility pop
