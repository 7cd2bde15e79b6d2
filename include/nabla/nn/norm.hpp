// Normalisation layers as torch.nn, with torch's parameter and buffer names and defaults:
//   BatchNorm1d / BatchNorm2d(num_features, eps=1e-5, momentum=0.1, affine=true,
//     track_running_stats=true): parameters weight (ones), bias (zeros); buffers running_mean
//     (zeros), running_var (ones), num_batches_tracked (int64 0, +1 per training call).
//     Training normalises with batch statistics and updates the running ones; eval uses the
//     running ones (batch statistics when track_running_stats is false).
//   LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=true): weight, bias of that shape.
//   GroupNorm(num_groups, num_channels, eps=1e-5, affine=true).
//   InstanceNorm2d(num_features, eps=1e-5, momentum=0.1, affine=false,
//     track_running_stats=false).
//   LocalResponseNorm(size, alpha=1e-4, beta=0.75, k=1).
// See nabla/nn/functional/norm.hpp for the formulas.
#pragma once
#pragma GCC visibility push(default)

#include "nabla/nn/module.hpp"
#include "nabla/shape.hpp"

namespace nabla::nn {

struct BatchNormOptions {
  int64_t num_features = 0;
  double eps = 1e-5;
  double momentum = 0.1;
  bool affine = true;
  bool track_running_stats = true;
  DType dtype = DType::f32;
};

// The shared body of BatchNorm1d and BatchNorm2d; they differ in the input ranks they accept.
class BatchNorm : public Module {
 public:
  Tensor forward(const Tensor& x) override;
  void reset_running_stats();
  void reset_parameters();

  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  BatchNorm(const char* type_name, const BatchNormOptions& options, std::vector<int64_t> ranks);
  std::string extra_repr() const override;

 private:
  BatchNormOptions options_;
  std::vector<int64_t> ranks_;
};

// Input [N, C] or [N, C, L].
class BatchNorm1d : public BatchNorm {
 public:
  explicit BatchNorm1d(const BatchNormOptions& options);
  explicit BatchNorm1d(int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNorm1d(BatchNormOptions{.num_features = num_features,
                                     .eps = eps,
                                     .momentum = momentum,
                                     .affine = affine,
                                     .track_running_stats = track_running_stats}) {}
};

// Input [N, C, H, W].
class BatchNorm2d : public BatchNorm {
 public:
  explicit BatchNorm2d(const BatchNormOptions& options);
  explicit BatchNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                       bool affine = true, bool track_running_stats = true)
      : BatchNorm2d(BatchNormOptions{.num_features = num_features,
                                     .eps = eps,
                                     .momentum = momentum,
                                     .affine = affine,
                                     .track_running_stats = track_running_stats}) {}
};

class LayerNorm : public Module {
 public:
  explicit LayerNorm(Shape normalized_shape, double eps = 1e-5, bool elementwise_affine = true);
  Tensor forward(const Tensor& x) override;
  Tensor weight, bias;

 protected:
  std::string extra_repr() const override;

 private:
  Shape normalized_shape_;
  double eps_;
  bool affine_;
};

class GroupNorm : public Module {
 public:
  GroupNorm(int64_t num_groups, int64_t num_channels, double eps = 1e-5, bool affine = true);
  Tensor forward(const Tensor& x) override;
  Tensor weight, bias;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t num_groups_, num_channels_;
  double eps_;
  bool affine_;
};

class InstanceNorm2d : public Module {
 public:
  explicit InstanceNorm2d(int64_t num_features, double eps = 1e-5, double momentum = 0.1,
                          bool affine = false, bool track_running_stats = false);
  Tensor forward(const Tensor& x) override;
  Tensor weight, bias, running_mean, running_var, num_batches_tracked;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t num_features_;
  double eps_, momentum_;
  bool affine_, track_running_stats_;
};

class LocalResponseNorm : public Module {
 public:
  explicit LocalResponseNorm(int64_t size, double alpha = 1e-4, double beta = 0.75, double k = 1.0);
  Tensor forward(const Tensor& x) override;

 protected:
  std::string extra_repr() const override;

 private:
  int64_t size_;
  double alpha_, beta_, k_;
};

}  // namespace nabla::nn

#pragma GCC visibility pop
