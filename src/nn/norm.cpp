#include "nabla/nn/norm.hpp"

#include <cmath>
#include <string>

#include "nabla/autograd.hpp"
#include "nabla/nn/functional/norm.hpp"
#include "nabla/nn/init.hpp"
#include "nn/repr.hpp"

namespace nabla::nn {

namespace F = functional;

namespace {
// Registers torch's affine parameters (ones, zeros) of `shape` when `affine`.
void make_affine(bool affine, const Shape& shape, DType dtype, Tensor& weight, Tensor& bias,
                 const std::function<Tensor(const std::string&, Tensor)>& reg) {
  if (!affine) return;
  weight = reg("weight", ones(shape, {.dtype = dtype}));
  bias = reg("bias", zeros(shape, {.dtype = dtype}));
}

void check_channels(const char* type, const Tensor& x, int64_t channels) {
  NABLA_CHECK(x.dim() >= 2 && x.size(1) == channels, type, ": input of shape ", x.shape(), " has ",
              x.dim() >= 2 ? x.size(1) : 0,
              " channels (dim 1), expected num_features = ", channels);
}
}  // namespace

BatchNorm::BatchNorm(const char* type_name, const BatchNormOptions& options,
                     std::vector<int64_t> ranks)
    : Module(type_name), options_(options), ranks_(std::move(ranks)) {
  NABLA_CHECK(options.num_features > 0, type_name, ": num_features must be positive, got ",
              options.num_features);
  const Shape shape{options.num_features};
  make_affine(options.affine, shape, options.dtype, weight, bias,
              [this](const std::string& n, Tensor t) { return register_parameter(n, t); });
  if (options.track_running_stats) {
    running_mean = register_buffer("running_mean", zeros(shape, {.dtype = options.dtype}));
    running_var = register_buffer("running_var", ones(shape, {.dtype = options.dtype}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, {.dtype = DType::i64}));
  }
}

void BatchNorm::reset_running_stats() {
  if (!running_mean.defined()) return;
  running_mean.zero_();
  running_var.fill_(1.0);
  num_batches_tracked.zero_();
}

void BatchNorm::reset_parameters() {
  reset_running_stats();
  if (weight.defined()) {
    init::ones_(weight);
    init::zeros_(bias);
  }
}

Tensor BatchNorm::forward(const Tensor& x) {
  bool rank_ok = false;
  for (int64_t r : ranks_) rank_ok = rank_ok || x.dim() == r;
  NABLA_CHECK(rank_ok, type_name(), ": expected a ",
              ranks_.size() == 1 ? "4-D [N, C, H, W]" : "2-D [N, C] or 3-D [N, C, L]",
              " input, got shape ", x.shape());
  check_channels(type_name().c_str(), x, options_.num_features);
  if (is_training() && num_batches_tracked.defined())
    num_batches_tracked.fill_(num_batches_tracked.item() + 1);
  // As torch: batch statistics in training, and in eval too when nothing is tracked.
  const bool use_batch_stats = is_training() || !running_mean.defined();
  return F::batch_norm(x, running_mean, running_var, weight, bias, use_batch_stats,
                       options_.momentum, options_.eps);
}

std::string BatchNorm::extra_repr() const {
  return std::to_string(options_.num_features) + ", eps=" + python_float(options_.eps) +
         ", momentum=" + python_float(options_.momentum) + ", affine=" + py_bool(options_.affine) +
         ", track_running_stats=" + py_bool(options_.track_running_stats);
}

BatchNorm1d::BatchNorm1d(const BatchNormOptions& options)
    : BatchNorm("BatchNorm1d", options, {2, 3}) {}
BatchNorm2d::BatchNorm2d(const BatchNormOptions& options)
    : BatchNorm("BatchNorm2d", options, {4}) {}

LayerNorm::LayerNorm(Shape normalized_shape, double eps, bool elementwise_affine)
    : Module("LayerNorm"),
      normalized_shape_(std::move(normalized_shape)),
      eps_(eps),
      affine_(elementwise_affine) {
  NABLA_CHECK(!normalized_shape_.empty(), "LayerNorm: normalized_shape must not be empty");
  make_affine(affine_, normalized_shape_, DType::f32, weight, bias,
              [this](const std::string& n, Tensor t) { return register_parameter(n, t); });
}

Tensor LayerNorm::forward(const Tensor& x) {
  return F::layer_norm(x, normalized_shape_, weight, bias, eps_);
}

std::string LayerNorm::extra_repr() const {
  std::string s = "(";
  for (size_t i = 0; i < normalized_shape_.size(); ++i)
    s += std::to_string(normalized_shape_[i]) + (normalized_shape_.size() == 1      ? ","
                                                 : i + 1 < normalized_shape_.size() ? ", "
                                                                                    : "");
  return s + "), eps=" + python_float(eps_) + ", elementwise_affine=" + py_bool(affine_);
}

GroupNorm::GroupNorm(int64_t num_groups, int64_t num_channels, double eps, bool affine)
    : Module("GroupNorm"),
      num_groups_(num_groups),
      num_channels_(num_channels),
      eps_(eps),
      affine_(affine) {
  NABLA_CHECK(num_groups > 0 && num_channels % num_groups == 0,
              "GroupNorm: num_groups = ", num_groups, " must divide num_channels = ", num_channels);
  make_affine(affine, {num_channels}, DType::f32, weight, bias,
              [this](const std::string& n, Tensor t) { return register_parameter(n, t); });
}

Tensor GroupNorm::forward(const Tensor& x) {
  check_channels("GroupNorm", x, num_channels_);
  return F::group_norm(x, num_groups_, weight, bias, eps_);
}

std::string GroupNorm::extra_repr() const {
  return std::to_string(num_groups_) + ", " + std::to_string(num_channels_) +
         ", eps=" + python_float(eps_) + ", affine=" + py_bool(affine_);
}

InstanceNorm2d::InstanceNorm2d(int64_t num_features, double eps, double momentum, bool affine,
                               bool track_running_stats)
    : Module("InstanceNorm2d"),
      num_features_(num_features),
      eps_(eps),
      momentum_(momentum),
      affine_(affine),
      track_running_stats_(track_running_stats) {
  make_affine(affine, {num_features}, DType::f32, weight, bias,
              [this](const std::string& n, Tensor t) { return register_parameter(n, t); });
  if (track_running_stats) {
    running_mean = register_buffer("running_mean", zeros({num_features}));
    running_var = register_buffer("running_var", ones({num_features}));
    num_batches_tracked = register_buffer("num_batches_tracked", zeros({}, {.dtype = DType::i64}));
  }
}

Tensor InstanceNorm2d::forward(const Tensor& x) {
  NABLA_CHECK(x.dim() == 4, "InstanceNorm2d: expected a 4-D [N, C, H, W] input, got shape ",
              x.shape());
  check_channels("InstanceNorm2d", x, num_features_);
  // num_batches_tracked is registered (torch's _NormBase does) but never advanced: torch's
  // _InstanceNorm.forward does not count batches, only _BatchNorm's does.
  const bool use_input_stats = is_training() || !track_running_stats_;
  return F::instance_norm(x, running_mean, running_var, weight, bias, use_input_stats, momentum_,
                          eps_);
}

std::string InstanceNorm2d::extra_repr() const {
  return std::to_string(num_features_) + ", eps=" + python_float(eps_) +
         ", momentum=" + python_float(momentum_) + ", affine=" + py_bool(affine_) +
         ", track_running_stats=" + py_bool(track_running_stats_);
}

LocalResponseNorm::LocalResponseNorm(int64_t size, double alpha, double beta, double k)
    : Module("LocalResponseNorm"), size_(size), alpha_(alpha), beta_(beta), k_(k) {
  NABLA_CHECK(size > 0, "LocalResponseNorm: size must be positive, got ", size);
}

Tensor LocalResponseNorm::forward(const Tensor& x) {
  return F::local_response_norm(x, size_, alpha_, beta_, k_);
}

std::string LocalResponseNorm::extra_repr() const {
  return std::to_string(size_) + ", alpha=" + python_float(alpha_) +
         ", beta=" + python_float(beta_) + ", k=" + python_float(k_);
}

}  // namespace nabla::nn
