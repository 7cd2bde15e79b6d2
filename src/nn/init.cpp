#include "nabla/nn/init.hpp"

#include <cmath>
#include <vector>

#include "nabla/autograd.hpp"
#include "nabla/ops.hpp"

namespace nabla::nn::init {

double calculate_gain(const std::string& nonlinearity, double param) {
  if (nonlinearity == "linear" || nonlinearity == "sigmoid" || nonlinearity.starts_with("conv"))
    return 1.0;
  if (nonlinearity == "tanh") return 5.0 / 3.0;
  if (nonlinearity == "relu") return std::sqrt(2.0);
  if (nonlinearity == "leaky_relu") return std::sqrt(2.0 / (1.0 + param * param));
  if (nonlinearity == "selu") return 3.0 / 4.0;
  NABLA_FAIL("calculate_gain: unknown nonlinearity '", nonlinearity,
             "'; use linear, conv1d/2d/3d, sigmoid, tanh, relu, leaky_relu or selu");
}

std::pair<int64_t, int64_t> fan_in_and_fan_out(const Tensor& weight) {
  NABLA_CHECK(weight.dim() >= 2, "fan_in_and_fan_out: needs a weight with at least 2 dims, got ",
              weight.shape());
  int64_t receptive = 1;
  for (int64_t d = 2; d < weight.dim(); ++d) receptive *= weight.size(d);
  return {weight.size(1) * receptive, weight.size(0) * receptive};
}

namespace {
// Writes `values` into t without recording history (t is usually a parameter).
void assign(const Tensor& t, const Tensor& values) {
  autograd::NoGradGuard no_grad;
  t.copy_(values);
}

double fan(const Tensor& t, FanMode mode) {
  const auto [fan_in, fan_out] = fan_in_and_fan_out(t);
  return static_cast<double>(mode == FanMode::fan_in ? fan_in : fan_out);
}
}  // namespace

void zeros_(const Tensor& t) { constant_(t, 0.0); }
void ones_(const Tensor& t) { constant_(t, 1.0); }
void constant_(const Tensor& t, double value) {
  autograd::NoGradGuard no_grad;
  t.fill_(value);
}

// Tensor::uniform_ / normal_ check the range and std themselves.
void uniform_(const Tensor& t, double a, double b) {
  autograd::NoGradGuard no_grad;
  t.uniform_(a, b);
}

void normal_(const Tensor& t, double mean, double std) {
  autograd::NoGradGuard no_grad;
  t.normal_(mean, std);
}

void xavier_uniform_(const Tensor& t, double gain) {
  const auto [fan_in, fan_out] = fan_in_and_fan_out(t);
  const double a = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  uniform_(t, -a, a);
}

void xavier_normal_(const Tensor& t, double gain) {
  const auto [fan_in, fan_out] = fan_in_and_fan_out(t);
  normal_(t, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)));
}

void kaiming_uniform_(const Tensor& t, double a, FanMode mode, const std::string& nonlinearity) {
  const double bound = calculate_gain(nonlinearity, a) * std::sqrt(3.0 / fan(t, mode));
  uniform_(t, -bound, bound);
}

void kaiming_normal_(const Tensor& t, double a, FanMode mode, const std::string& nonlinearity) {
  normal_(t, 0.0, calculate_gain(nonlinearity, a) / std::sqrt(fan(t, mode)));
}

void linear_default_(const Tensor& weight, const Tensor& bias) {
  // kaiming_uniform_(a = √5) is U(±1/√fan_in); the bias gets the same bound.
  kaiming_uniform_(weight, std::sqrt(5.0));
  if (!bias.defined()) return;
  const int64_t fan_in = fan_in_and_fan_out(weight).first;
  const double bound = fan_in > 0 ? 1.0 / std::sqrt(static_cast<double>(fan_in)) : 0.0;
  uniform_(bias, -bound, bound);
}

}  // namespace nabla::nn::init

namespace nabla::nn::init {

namespace {
// Q of the thin QR decomposition of a (m x n, m >= n, row-major, double), R's diagonal made
// positive: modified Gram-Schmidt, each column orthogonalised twice against the ones before
// ("twice is enough", so Q stays orthonormal to rounding even for ill-conditioned a). With
// diag(R) > 0 the factorisation is unique, so this equals torch's Householder Q · sign(diag R).
std::vector<double> orthonormal_columns(std::vector<double> a, int64_t m, int64_t n) {
  for (int64_t j = 0; j < n; ++j) {
    for (int pass = 0; pass < 2; ++pass) {
      for (int64_t k = 0; k < j; ++k) {
        double dot = 0.0;
        for (int64_t i = 0; i < m; ++i) dot += a[i * n + k] * a[i * n + j];
        for (int64_t i = 0; i < m; ++i) a[i * n + j] -= dot * a[i * n + k];
      }
    }
    double norm = 0.0;
    for (int64_t i = 0; i < m; ++i) norm += a[i * n + j] * a[i * n + j];
    norm = std::sqrt(norm);
    NABLA_CHECK(norm > 0.0, "orthogonal_: the random matrix was rank deficient; draw again");
    for (int64_t i = 0; i < m; ++i) a[i * n + j] /= norm;
  }
  return a;
}
}  // namespace

void orthogonal_(const Tensor& t, double gain) {
  NABLA_CHECK(t.dim() >= 2, "orthogonal_: only tensors with 2 or more dimensions are supported, "
              "got shape ", t.shape());
  if (t.numel() == 0) return;
  const int64_t rows = t.size(0), cols = t.numel() / rows;
  // Work on the tall orientation, as torch transposes a wide matrix before its QR.
  const bool wide = rows < cols;
  const int64_t m = wide ? cols : rows, n = wide ? rows : cols;
  Tensor normal = randn({rows, cols}, {.dtype = DType::f64});
  // to_vector reads the transposed view in logical order; copy_ converts the dtype itself.
  if (wide) normal = normal.t();
  const Tensor q = from_vector(orthonormal_columns(normal.to_vector<double>(), m, n), {m, n});
  const Tensor oriented = wide ? q.t() : q;
  assign(t, (oriented * gain).reshape(t.shape()));
}

}  // namespace nabla::nn::init
