// Preprocessing fitted on the training split only and applied unchanged to every split, saved
// with the model so evaluation and prediction use the same numbers (the notes: "any
// preprocessing statistics must only be computed on the training data").
//
//   data::Preprocessing pre({{.kind = "standardize", .mode = "per_channel"}});
//   pre.fit(train.inputs);
//   Tensor x = pre.apply(batch.inputs);
//   io::save_safetensors(path, pre.state());      // "preprocess.0.mean", ...
#pragma once
#pragma GCC visibility push(default)

#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "nabla/nn/module.hpp"

namespace nabla::data {

// One step. kind (mode: per_feature | global | per_channel for the first three):
//   "center"       x - mean
//   "standardize"  (x - mean) / std, std of the population (ddof 0) with std < 1e-8 read as 1
//   "scale"        to [-1, 1] by the training min and max: (x - (max + min)/2) / ((max - min)/2)
//                  with (max - min)/2 < 1e-8 read as 1 (a constant feature maps to 0)
//   "pca"          project centred x on the top `components` principal axes (0: all), [N, k]
//   "pca_whiten"   the same, divided by sqrt(eigenvalue + epsilon)
//   "zca_whiten"   PCA whitening rotated back, U diag(1/sqrt(λ + ε)) Uᵀ (x - mean): input's shape
//                  (with `components` k > 0, U holds only the top k axes: a low-rank ZCA)
// per_feature statistics are over dim 0 (one per input element), per_channel over all dims but
// 1 (images [N, C, H, W]; samples must have at least 2 dims, [C, ...]), global over everything.
// pca / whitening flatten each sample, centre each feature (their mode must be per_feature),
// and diagonalise the covariance Xᵀ X / N of the centred [N, D] inputs (divided by N, not
// N - 1, as the notes' np.dot(X.T, X) / X.shape[0]). Principal axes come in descending order
// of eigenvalue, each axis signed so that its largest-magnitude component is positive (the
// first such component on ties), so results are reproducible and comparable with NumPy;
// eigenvalues below 0 (round-off) are read as 0.
//
// Statistics are computed in float64 (accumulating float32 inputs); fit and apply run the
// steps on float32 data, so a later step is fitted on the float32 output of the earlier ones.
//
// state() names, all float64 except the first (int64 [rank]):
//   preprocess.sample_shape     the fitted input sample shape (inputs are [N, *sample_shape])
//   preprocess.<i>.mean / std   shape: per_feature the step's sample shape, global [1],
//   preprocess.<i>.min / max           per_channel [C]
//   preprocess.<i>.mean         pca kinds: [D]
//   preprocess.<i>.components   pca kinds: [k, D], one principal axis per row
//   preprocess.<i>.eigenvalues  pca kinds: [k], descending
// (center: mean; standardize: mean, std; scale: min, max; pca kinds: mean, components,
// eigenvalues.) An unknown kind or mode, a negative `components` or `epsilon`, or a mode other
// than per_feature on a pca kind is an Error from the constructor, listing the valid values.
struct PreprocessStep {
  std::string kind;
  std::string mode = "per_feature";
  int64_t components = 0;
  double epsilon = 1e-5;
};

class Preprocessing {
 public:
  Preprocessing();  // no steps: apply() is the identity
  explicit Preprocessing(std::vector<PreprocessStep> steps);  // an unknown kind/mode is an Error
  // The same; it makes Preprocessing pre({{.kind = "center", .mode = "global"}}) unambiguous
  // (a braced list would otherwise also fit the move constructor).
  explicit Preprocessing(std::initializer_list<PreprocessStep> steps)
      : Preprocessing(std::vector<PreprocessStep>(steps)) {}
  ~Preprocessing();
  Preprocessing(Preprocessing&&) noexcept;
  Preprocessing& operator=(Preprocessing&&) noexcept;

  // Fits each step in turn on the training inputs [N, ...] with N >= 1 and samples of at least
  // one dim (step k sees step k-1's output). Refitting replaces the earlier statistics; on an
  // Error nothing changes.
  void fit(const Tensor& train_inputs);
  bool fitted() const;  // true after fit or load_state, and always when there are no steps
  // Applies the fitted steps to a batch [B, ...] whose sample shape is the fitted one (an Error
  // names both shapes otherwise; before fit/load_state an Error too). Any float dtype in,
  // float32 out, on the input's device (computed on the CPU).
  Tensor apply(const Tensor& inputs) const;
  // Output sample shape for an input sample shape (an Error when `components` exceeds D).
  Shape output_sample_shape(const Shape& input_sample_shape) const;

  // "preprocess.<step>.<name>" tensors (mean, std, min, max, components, eigenvalues, ...).
  nn::NamedTensors state() const;
  // Restores fitted statistics saved by state() for the same steps; an Error names a missing
  // or mis-shaped tensor, or a "preprocess." tensor these steps do not have. Other names
  // (a model's weights saved in the same file) are ignored.
  void load_state(const nn::NamedTensors& state);
  const std::vector<PreprocessStep>& steps() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nabla::data

#pragma GCC visibility pop
