// Fitting and applying one preprocessing step. Statistics accumulate in float64 over float32
// inputs; element-wise steps apply in float64 per element, pca kinds as one float32 GEMM.
#include "data/preprocess_steps.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "backend/cpu/blas.hpp"
#include "data/pca.hpp"
#include "nabla/error.hpp"

namespace nabla::data::detail {
namespace {

constexpr const char* kKinds[] = {"center", "standardize", "scale",
                                  "pca",    "pca_whiten",  "zca_whiten"};
constexpr const char* kModes[] = {"per_feature", "global", "per_channel"};
constexpr double kTiny = 1e-8;  // a spread below this is read as 1 (constant features)

template <size_t N>
std::string listing(const char* const (&names)[N]) {
  std::ostringstream out;
  for (size_t i = 0; i < N; ++i) out << (i ? ", " : "") << '"' << names[i] << '"';
  return out.str();
}

template <size_t N>
int find_name(const char* const (&names)[N], const std::string& name) {
  for (size_t i = 0; i < N; ++i)
    if (name == names[i]) return static_cast<int>(i);
  return -1;
}

// Element j of a sample belongs to group (j / inner) % groups: one group per element
// (per_feature), one for all (global), one per index of the sample's first dim (per_channel).
struct Groups {
  int64_t groups = 1, inner = 1;
  int64_t of(int64_t j) const { return (j / inner) % groups; }
};

Groups groups_of(StepMode mode, const Shape& in_shape) {
  const int64_t d = shape_numel(in_shape);
  if (mode == StepMode::per_feature) return {d, 1};
  if (mode == StepMode::global) return {1, d};
  return {in_shape[0], in_shape[0] == 0 ? 1 : d / in_shape[0]};
}

Shape statistic_shape(StepMode mode, const Shape& in_shape) {
  if (mode == StepMode::per_feature) return in_shape;
  if (mode == StepMode::global) return {1};
  return {in_shape[0]};
}

int64_t kept_components(const ParsedStep& step, int64_t features) {
  return step.components == 0 ? features : step.components;
}

// Per-group mean of x[rows, d]: per-element sums first, so the inner loop runs along a row.
std::vector<double> fit_mean(const float* x, int64_t rows, int64_t d, const Groups& g) {
  std::vector<double> per_element(static_cast<size_t>(d), 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < d; ++j) per_element[j] += x[r * d + j];
  std::vector<double> mean(static_cast<size_t>(g.groups), 0.0);
  for (int64_t j = 0; j < d; ++j) mean[g.of(j)] += per_element[j];
  const double count = static_cast<double>(rows) * static_cast<double>(d / g.groups);
  for (double& m : mean) m /= count;
  return mean;
}

// Per-group population std (ddof 0) about `mean`, two-pass for accuracy.
std::vector<double> fit_std(const float* x, int64_t rows, int64_t d, const Groups& g,
                            const std::vector<double>& mean) {
  std::vector<double> per_element(static_cast<size_t>(d), 0.0), centre(static_cast<size_t>(d));
  for (int64_t j = 0; j < d; ++j) centre[j] = mean[g.of(j)];
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t j = 0; j < d; ++j) {
      const double dev = x[r * d + j] - centre[j];
      per_element[j] += dev * dev;
    }
  std::vector<double> std_dev(static_cast<size_t>(g.groups), 0.0);
  for (int64_t j = 0; j < d; ++j) std_dev[g.of(j)] += per_element[j];
  const double count = static_cast<double>(rows) * static_cast<double>(d / g.groups);
  for (double& s : std_dev) s = std::sqrt(s / count);
  return std_dev;
}

void fit_range(const float* x, int64_t rows, int64_t d, const Groups& g, std::vector<double>& lo,
               std::vector<double>& hi) {
  std::vector<float> lo_element(x, x + d), hi_element(x, x + d);  // rows >= 1
  for (int64_t r = 1; r < rows; ++r)
    for (int64_t j = 0; j < d; ++j) {
      lo_element[j] = std::min(lo_element[j], x[r * d + j]);
      hi_element[j] = std::max(hi_element[j], x[r * d + j]);
    }
  lo.assign(static_cast<size_t>(g.groups), std::numeric_limits<double>::infinity());
  hi.assign(static_cast<size_t>(g.groups), -std::numeric_limits<double>::infinity());
  for (int64_t j = 0; j < d; ++j) {
    lo[g.of(j)] = std::min(lo[g.of(j)], static_cast<double>(lo_element[j]));
    hi[g.of(j)] = std::max(hi[g.of(j)], static_cast<double>(hi_element[j]));
  }
}

}  // namespace

ParsedStep parse_step(const PreprocessStep& step, size_t index) {
  ParsedStep out;
  const int kind = find_name(kKinds, step.kind);
  NABLA_CHECK(kind >= 0, "Preprocessing: step ", index, " has unknown kind \"", step.kind,
              "\"; valid kinds: ", listing(kKinds));
  const int mode = find_name(kModes, step.mode);
  NABLA_CHECK(mode >= 0, "Preprocessing: step ", index, " (", step.kind, ") has unknown mode \"",
              step.mode, "\"; valid modes: ", listing(kModes));
  out.kind = static_cast<StepKind>(kind);
  out.mode = static_cast<StepMode>(mode);
  NABLA_CHECK(!out.is_pca() || out.mode == StepMode::per_feature, "Preprocessing: step ", index,
              " (", step.kind, ") has mode \"", step.mode,
              "\"; pca and whitening centre each feature: leave mode at \"per_feature\"");
  NABLA_CHECK(step.components >= 0, "Preprocessing: step ", index, " (", step.kind,
              ") has components = ", step.components, "; use 0 (all) or a positive count");
  NABLA_CHECK(step.components == 0 || out.is_pca(), "Preprocessing: step ", index, " (", step.kind,
              ") has components = ", step.components,
              "; only pca, pca_whiten and zca_whiten take components");
  NABLA_CHECK(step.epsilon >= 0 && std::isfinite(step.epsilon), "Preprocessing: step ", index, " (",
              step.kind, ") has epsilon = ", step.epsilon,
              "; use a finite value >= 0 (default 1e-5)");
  out.components = step.components;
  out.epsilon = step.epsilon;
  return out;
}

std::vector<Statistic> expected_statistics(const ParsedStep& step, const Shape& in_shape,
                                           size_t index) {
  const int64_t d = shape_numel(in_shape);
  if (step.is_pca()) {
    const int64_t k = kept_components(step, d);
    NABLA_CHECK(k <= d, "Preprocessing: step ", index, " (", kKinds[int(step.kind)], ") asks for ",
                k, " components of samples ", in_shape, " with ", d, " features; ask for at most ",
                d, " (or 0 for all)");
    return {{"mean", {d}, {}}, {"components", {k, d}, {}}, {"eigenvalues", {k}, {}}};
  }
  NABLA_CHECK(step.mode != StepMode::per_channel || in_shape.size() >= 2, "Preprocessing: step ",
              index, " (", kKinds[int(step.kind)],
              ", per_channel) needs samples [C, ...] of at "
              "least 2 dims, got samples ",
              in_shape, "; use per_feature or global, or reshape images to [N, C, H, W]");
  const Shape shape = statistic_shape(step.mode, in_shape);
  if (step.kind == StepKind::center) return {{"mean", shape, {}}};
  if (step.kind == StepKind::standardize) return {{"mean", shape, {}}, {"std", shape, {}}};
  return {{"min", shape, {}}, {"max", shape, {}}};
}

Shape step_output_shape(const ParsedStep& step, const Shape& in_shape, size_t index) {
  if (step.kind == StepKind::pca || step.kind == StepKind::pca_whiten) {
    const int64_t d = shape_numel(in_shape);
    expected_statistics(step, in_shape, index);  // checks components <= d
    return {kept_components(step, d)};
  }
  return in_shape;
}

FittedStep FittedStep::fit(const ParsedStep& step, const Shape& in_shape, const float* x,
                           int64_t rows, size_t index) {
  std::vector<Statistic> stats = expected_statistics(step, in_shape, index);
  const int64_t d = shape_numel(in_shape);
  if (step.is_pca()) {
    std::vector<double> mean = column_means(x, rows, d);
    SymmetricEigen eigen = symmetric_eigen(covariance(x, rows, d, mean), d);
    const int64_t k = stats[2].shape[0];
    eigen.vectors.resize(static_cast<size_t>(k * d));
    eigen.values.resize(static_cast<size_t>(k));
    for (double& v : eigen.values) v = std::max(v, 0.0);  // round-off below a zero eigenvalue
    stats[0].values = std::move(mean);
    stats[1].values = std::move(eigen.vectors);
    stats[2].values = std::move(eigen.values);
  } else {
    const Groups g = groups_of(step.mode, in_shape);
    if (step.kind == StepKind::scale) {
      fit_range(x, rows, d, g, stats[0].values, stats[1].values);
    } else {
      stats[0].values = fit_mean(x, rows, d, g);
      if (step.kind == StepKind::standardize)
        stats[1].values = fit_std(x, rows, d, g, stats[0].values);
    }
  }
  return restore(step, in_shape, std::move(stats), index);
}

FittedStep FittedStep::restore(const ParsedStep& step, const Shape& in_shape,
                               std::vector<Statistic> statistics, size_t index) {
  FittedStep out;
  out.step_ = step;
  out.in_shape_ = in_shape;
  out.out_shape_ = step_output_shape(step, in_shape, index);
  out.statistics_ = std::move(statistics);
  out.prepare(index);
  return out;
}

const std::vector<double>& FittedStep::stat(const char* name) const {
  for (const Statistic& s : statistics_)
    if (s.name == name) return s.values;
  NABLA_FAIL("Preprocessing: internal error, statistic '", name, "' missing");
}

void FittedStep::prepare(size_t index) {
  if (step_.is_pca()) return prepare_projection(index);
  const int64_t d = shape_numel(in_shape_);
  const Groups g = groups_of(step_.mode, in_shape_);
  shift_.resize(static_cast<size_t>(d));
  factor_.assign(static_cast<size_t>(d), 1.0);
  for (int64_t j = 0; j < d; ++j) {
    const int64_t k = g.of(j);
    if (step_.kind == StepKind::center) {
      shift_[j] = stat("mean")[k];
    } else if (step_.kind == StepKind::standardize) {
      const double s = stat("std")[k];
      shift_[j] = stat("mean")[k];
      factor_[j] = 1.0 / (s < kTiny ? 1.0 : s);
    } else {
      const double lo = stat("min")[k], hi = stat("max")[k], half = (hi - lo) / 2;
      shift_[j] = (hi + lo) / 2;
      factor_[j] = 1.0 / (half < kTiny ? 1.0 : half);
    }
  }
}

void FittedStep::prepare_projection(size_t index) {
  const std::vector<double>& mean = stat("mean");
  const std::vector<double>& axes = stat("components");
  const std::vector<double>& values = stat("eigenvalues");
  const int64_t d = static_cast<int64_t>(mean.size()), k = static_cast<int64_t>(values.size());
  pca_mean_.assign(mean.begin(), mean.end());
  // Row i of `scaled` is axis i divided by its whitening factor (1 for plain pca).
  std::vector<double> scaled(axes);
  for (int64_t i = 0; i < k && step_.kind != StepKind::pca; ++i) {
    const double var = values[i] + step_.epsilon;
    NABLA_CHECK(var > 0, "Preprocessing: step ", index, " (", kKinds[int(step_.kind)],
                "): eigenvalue ", i, " is ", values[i], " and epsilon is ", step_.epsilon,
                ", so whitening divides by 0; set epsilon > 0 or keep fewer components");
    for (int64_t j = 0; j < d; ++j) scaled[i * d + j] /= std::sqrt(var);
  }
  if (step_.kind == StepKind::zca_whiten) {
    std::vector<double> zca(static_cast<size_t>(d * d));  // Uᵀ diag(1/sqrt(λ+ε)) U, [D, D]
    cpu::blas_gemm<double>(true, false, d, d, k, 1.0, axes.data(), d, scaled.data(), d, 0.0,
                           zca.data(), d);
    projection_.assign(zca.begin(), zca.end());
    return;
  }
  projection_.resize(static_cast<size_t>(d * k));  // [D, k]: the transpose of the axes
  for (int64_t i = 0; i < k; ++i)
    for (int64_t j = 0; j < d; ++j) projection_[j * k + i] = static_cast<float>(scaled[i * d + j]);
}

void FittedStep::apply(const float* x, int64_t rows, float* y) const {
  const int64_t d = shape_numel(in_shape_);
  if (!step_.is_pca()) {
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < d; ++j)
        y[r * d + j] = static_cast<float>((x[r * d + j] - shift_[j]) * factor_[j]);
    return;
  }
  // Centred rows in blocks, so fitting a later step on 60000 rows needs no full copy.
  const int64_t m = shape_numel(out_shape_), block = 1024;
  std::vector<float> centred(static_cast<size_t>(std::min(rows, block) * d));
  for (int64_t start = 0; start < rows; start += block) {
    const int64_t count = std::min(block, rows - start);
    for (int64_t r = 0; r < count; ++r)
      for (int64_t j = 0; j < d; ++j) centred[r * d + j] = x[(start + r) * d + j] - pca_mean_[j];
    cpu::blas_gemm<float>(false, false, count, m, d, 1.0f, centred.data(), d, projection_.data(), m,
                          0.0f, y + start * m, m);
  }
}

}  // namespace nabla::data::detail
