// Classification losses over class scores: cross_entropy (fused), nll_loss, multi_margin_loss.
// Inputs [N, C, d1, ...] are laid out as rows [M, C] (M = N·d1·...) with the class dim last;
// the targets as [M].
//
// The fused cross-entropy: per row, loss = −Σ_c a_c log p_c with p = softmax(x). Then
//   ∂loss/∂x_j = p_j Σ_c a_c − a_j          ("softmax − target" for a one-hot a)
//   ∂loss/∂a_j = −log p_j                   (soft targets may carry gradient, as in torch)
// Soft (probability) targets use that dense form. Class-index targets pick log p_y instead
// (torch's nll path): a dense sum would give 0·(−inf) = NaN for a −inf logit in another class,
// and would build one-hot [M, C] rows for nothing. Label smoothing adds its dense term
// eps/C·Σ_c w_c(−log p_c) only when eps > 0.
#include <vector>

#include "nabla/nn/functional/loss.hpp"
#include "ops/op_helpers.hpp"

namespace nabla::nn::functional {

using namespace ops;

namespace {

// Scores as [M, C] rows, the target as [M], and the shape "none" reduction gives back.
struct ClassRows {
  Tensor scores, target;
  Shape batch_shape;
  int64_t classes = 0;
};

Shape without_class_dim(const Shape& shape) {
  Shape out;
  for (size_t d = 0; d < shape.size(); ++d)
    if (d != 1) out.push_back(shape[d]);
  return out;
}

// Class dim last, then flattened: [N, C, d...] -> [N·d..., C].
Tensor class_rows(const Tensor& x) {
  if (x.dim() == 1) return x.reshape({1, x.size(0)});
  std::vector<int64_t> order{0};
  for (int64_t d = 2; d < x.dim(); ++d) order.push_back(d);
  order.push_back(1);
  return x.permute(Dims(order)).reshape({-1, x.size(1)});
}

ClassRows to_rows(const char* op, const Tensor& input, const Tensor& target, bool soft_target) {
  NABLA_CHECK(input.dim() >= 1, op, ": input must be [C], [N, C] or [N, C, d1, ...], got shape ",
              input.shape());
  ClassRows rows;
  rows.classes = input.dim() == 1 ? input.size(0) : input.size(1);
  rows.batch_shape = input.dim() == 1 ? Shape{} : without_class_dim(input.shape());
  if (soft_target) {
    NABLA_CHECK(target.shape() == input.shape(), op, ": class-probability target of shape ",
                target.shape(), " must have the input's shape ", input.shape());
    rows.target = class_rows(target.to(input.dtype()));
  } else {
    NABLA_CHECK(target.dtype() == DType::i64, op, ": target must hold int64 class indices "
                "(or class probabilities of the input's shape), got ", target.dtype());
    NABLA_CHECK(target.shape() == rows.batch_shape, op, ": input of shape ", input.shape(),
                " needs a target of shape ", rows.batch_shape, " (the input's shape without the "
                "class dim 1), got ", target.shape());
    rows.target = target.reshape({-1});
  }
  rows.scores = class_rows(input);
  return rows;
}

// Raises an Error naming the first index outside [0, classes) that is not ignore_index.
void check_class_indices(const char* op, const Tensor& target, int64_t classes,
                         std::optional<int64_t> ignore_index) {
  for (int64_t t : target.to_vector<int64_t>()) {
    if (ignore_index && t == *ignore_index) continue;
    NABLA_CHECK(t >= 0 && t < classes, op, ": target class index ", t, " is out of range for ",
                classes, " classes (valid: 0 to ", classes - 1,
                ignore_index ? ", or ignore_index" : "", ")");
  }
}

// The class weights as a [1, C] row in x's dtype; undefined (meaning all ones) when not given,
// so the unweighted paths skip both the row and the multiplies by it.
Tensor weight_row(const char* op, const Tensor& weight, const Tensor& x, int64_t classes) {
  if (!weight.defined()) return Tensor();
  NABLA_CHECK(weight.dim() == 1 && weight.size(0) == classes, op, ": weight of shape ",
              weight.shape(), " must be [C] = [", classes, "], one weight per class");
  return weight.detach().to(x.dtype()).reshape({1, classes});
}

// What the class-index losses share: the ignore mask (undefined when nothing can be ignored)
// and each row's target weight w_y (0 for ignored rows), and a safe index (0 for ignored rows).
struct IndexTargets {
  Tensor valid, row_weight, safe_index;
};

IndexTargets index_targets(const ClassRows& rows, const Tensor& weights,
                           std::optional<int64_t> ignore_index) {
  const Tensor& t = rows.target;
  IndexTargets out;
  out.safe_index = t;
  if (ignore_index) {
    const Tensor valid_mask = ne(t, scalar_like(static_cast<double>(*ignore_index), t));
    out.valid = valid_mask.to(rows.scores.dtype());
    out.safe_index = where(valid_mask, t, scalar_like(0.0, t));
  }
  if (weights.defined()) {
    out.row_weight = index_select(weights.reshape({-1}), 0, out.safe_index);
    if (out.valid.defined()) out.row_weight = out.row_weight * out.valid;
  } else {
    out.row_weight = out.valid.defined()
                         ? out.valid
                         : ones({t.numel()}, {.dtype = rows.scores.dtype(), .device = t.device()});
  }
  return out;
}

// rows [M] = −Σ_c coeff log softmax(scores), one node with the backward above.
Tensor cross_entropy_rows(const Tensor& scores, const Tensor& coeff) {
  const Tensor log_p = nabla::log_softmax(scores.detach(), 1);
  Tensor out = -nabla::sum(coeff.detach() * log_p, 1);
  autograd::record("cross_entropy", {scores, coeff}, out,
                   [sp = SavedTensor(log_p, "cross_entropy"), sa = SavedTensor(coeff, "cross_entropy")](
                       const Tensor& g, const GradMask& needs) {
                     const Tensor log_p = sp.get();
                     const Tensor g_col = g.reshape({-1, 1});
                     Grads grads(2);
                     if (needs[0]) {
                       const Tensor a = sa.get();
                       grads[0] = (nabla::exp(log_p) * nabla::sum(a, 1, true) - a) * g_col;
                     }
                     if (needs[1]) grads[1] = -log_p * g_col;
                     return grads;
                   });
  return out;
}

// rows [M] for class-index targets, one node:
//   loss = −(1 − eps)·w_y·log p_y − eps/C·v·Σ_c w_c log p_c      (v = 0 for ignored rows)
//   ∂loss/∂x = p·((1 − eps)·w_y + eps/C·v·Σ_c w_c) − (1 − eps)·w_y·onehot(y) − eps/C·v·w
// The one-hot term is a scatter-add into the gradient, so no [M, C] one-hot is ever built.
Tensor cross_entropy_index_rows(const Tensor& scores, const IndexTargets& t, const Tensor& w,
                                double eps, int64_t classes) {
  const Tensor log_p = nabla::log_softmax(scores.detach(), 1);
  const Tensor index = t.safe_index.reshape({-1, 1});
  const Tensor pick_weight = eps > 0.0 ? t.row_weight * (1.0 - eps) : t.row_weight;
  Tensor out = -(gather(log_p, 1, index).reshape({-1}) * pick_weight);
  Tensor smooth_weight;  // eps/C·v per row, [M, 1]; undefined without smoothing
  if (eps > 0.0) {
    const double spread = eps / static_cast<double>(classes);
    smooth_weight = t.valid.defined() ? (t.valid * spread).reshape({-1, 1})
                                      : full({t.safe_index.numel(), 1}, spread,
                                             {.dtype = log_p.dtype(), .device = log_p.device()});
    const Tensor weighted = w.defined() ? log_p * w : log_p;
    out = out - nabla::sum(weighted, 1) * smooth_weight.reshape({-1});
  }
  autograd::record(
      "cross_entropy", {scores}, out,
      [sp = SavedTensor(log_p, "cross_entropy"), index, pick_weight, smooth_weight, w, classes](
          const Tensor& g, const GradMask&) {
        const Tensor g_col = g.reshape({-1, 1});
        const Tensor pick = pick_weight.reshape({-1, 1}) * g_col;
        Tensor p_scale = pick;
        if (smooth_weight.defined()) {  // Σ_c w_c, which is C without weights
          const Tensor s = smooth_weight * g_col;
          p_scale = p_scale + (w.defined() ? s * nabla::sum(w) : s * static_cast<double>(classes));
        }
        const Tensor log_p = sp.get();
        Tensor grad = nabla::exp(log_p) * p_scale - scatter_add_into(log_p.shape(), 1, index, pick);
        if (smooth_weight.defined()) {
          const Tensor s = smooth_weight * g_col;
          grad = grad - (w.defined() ? s * w : s);
        }
        return Grads{grad};
      });
  return out;
}

// "none" gives the batch shape back; "mean" divides the sum by `denominator`.
Tensor reduce_rows(const Tensor& rows, const ClassRows& layout, Reduction reduction,
                   const Tensor& denominator) {
  switch (reduction.kind()) {
    case Reduction::none:
      return rows.shape() == layout.batch_shape ? rows : rows.reshape(layout.batch_shape);
    case Reduction::sum: return nabla::sum(rows);
    case Reduction::mean: return nabla::sum(rows) / denominator;
  }
  return rows;
}

}  // namespace

Tensor cross_entropy(const Tensor& input, const Tensor& target, const CrossEntropyOptions& options) {
  NABLA_CHECK(options.label_smoothing >= 0.0 && options.label_smoothing <= 1.0, "cross_entropy: "
              "label_smoothing must be in [0, 1], got ", options.label_smoothing);
  const bool soft = is_floating(target.dtype());
  const ClassRows rows = to_rows("cross_entropy", input, target, soft);
  const double eps = options.label_smoothing;
  const Tensor w = weight_row("cross_entropy", options.weight, rows.scores, rows.classes);
  if (soft) {
    Tensor coeff = eps > 0.0 ? rows.target * (1.0 - eps) + eps / static_cast<double>(rows.classes)
                             : rows.target;
    if (w.defined()) coeff = coeff * w;
    const Tensor count = scalar_like(static_cast<double>(rows.scores.size(0)), rows.scores);
    return reduce_rows(cross_entropy_rows(rows.scores, coeff), rows, options.reduction, count);
  }
  check_class_indices("cross_entropy", rows.target, rows.classes, options.ignore_index);
  const IndexTargets t = index_targets(rows, w, options.ignore_index);
  return reduce_rows(cross_entropy_index_rows(rows.scores, t, w, eps, rows.classes), rows,
                     options.reduction, nabla::sum(t.row_weight));
}

Tensor nll_loss(const Tensor& input, const Tensor& target, const NLLLossOptions& options) {
  const ClassRows rows = to_rows("nll_loss", input, target, false);
  check_class_indices("nll_loss", rows.target, rows.classes, options.ignore_index);
  const Tensor w = weight_row("nll_loss", options.weight, rows.scores, rows.classes);
  const IndexTargets t = index_targets(rows, w, options.ignore_index);
  const Tensor picked = gather(rows.scores, 1, t.safe_index.reshape({-1, 1})).reshape({-1});
  return reduce_rows(-picked * t.row_weight, rows, options.reduction, nabla::sum(t.row_weight));
}

Tensor multi_margin_loss(const Tensor& input, const Tensor& target,
                         const MultiMarginLossOptions& options) {
  NABLA_CHECK(options.p == 1 || options.p == 2, "multi_margin_loss: p must be 1 or 2, got ",
              options.p);
  NABLA_CHECK(input.dim() == 1 || input.dim() == 2, "multi_margin_loss: input must be [C] or "
              "[N, C], got shape ", input.shape());
  const ClassRows rows = to_rows("multi_margin_loss", input, target, false);
  check_class_indices("multi_margin_loss", rows.target, rows.classes, std::nullopt);
  const Tensor w = weight_row("multi_margin_loss", options.weight, rows.scores, rows.classes);
  const IndexTargets t = index_targets(rows, w, std::nullopt);
  const Tensor index = t.safe_index.reshape({-1, 1});
  const Tensor hinge = nabla::relu(rows.scores - gather(rows.scores, 1, index) + options.margin);
  const Tensor h = options.p == 1 ? hinge : hinge * hinge;
  // The target class itself is left out of the sum (its hinge would be `margin`); masked out
  // rather than subtracted so a row with no other violation sums to exactly 0.
  const Tensor classes = arange(static_cast<double>(rows.classes), {.dtype = DType::i64,
                                                                    .device = index.device()});
  const Tensor other = ne(classes.reshape({1, -1}), index);
  const Tensor per_row = nabla::sum(where(other, h, scalar_like(0.0, h)), 1) * t.row_weight /
                         static_cast<double>(rows.classes);
  const Tensor count = scalar_like(static_cast<double>(rows.scores.size(0)), rows.scores);
  return reduce_rows(per_row, rows, options.reduction, count);
}

}  // namespace nabla::nn::functional
