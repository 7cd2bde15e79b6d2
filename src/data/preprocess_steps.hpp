// One preprocessing step (preprocess.hpp) parsed, fitted and applied: the statistics it keeps,
// by state() name, and the float32 kernel that applies them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nabla/data/preprocess.hpp"

namespace nabla::data::detail {

enum class StepKind { center, standardize, scale, pca, pca_whiten, zca_whiten };
enum class StepMode { per_feature, global, per_channel };

struct ParsedStep {
  StepKind kind = StepKind::center;
  StepMode mode = StepMode::per_feature;
  int64_t components = 0;
  double epsilon = 1e-5;
  bool is_pca() const { return kind >= StepKind::pca; }
};

// Checks kind, mode, components and epsilon; the Error names step `index` and lists the valid
// values.
ParsedStep parse_step(const PreprocessStep& step, size_t index);

// A named statistic ("mean", "components", ...) with its shape; values row-major float64.
struct Statistic {
  std::string name;
  Shape shape;
  std::vector<double> values;
};

// The statistics step `index` keeps for samples of `in_shape`, in state() order, values empty;
// an Error when the shape does not suit the step (per_channel on 1-D samples, more components
// than features).
std::vector<Statistic> expected_statistics(const ParsedStep& step, const Shape& in_shape,
                                           size_t index);
Shape step_output_shape(const ParsedStep& step, const Shape& in_shape, size_t index);

class FittedStep {
 public:
  // Fits on `rows` samples of `in_shape`, float32 row-major.
  static FittedStep fit(const ParsedStep& step, const Shape& in_shape, const float* x, int64_t rows,
                        size_t index);
  // From statistics in expected_statistics' order and shapes (the caller checked them).
  static FittedStep restore(const ParsedStep& step, const Shape& in_shape,
                            std::vector<Statistic> statistics, size_t index);

  const Shape& input_shape() const { return in_shape_; }
  const Shape& output_shape() const { return out_shape_; }
  const std::vector<Statistic>& statistics() const { return statistics_; }
  // y[rows, out] from x[rows, in], float32 row-major; y must not alias x.
  void apply(const float* x, int64_t rows, float* y) const;

 private:
  void prepare(size_t index);
  void prepare_projection(size_t index);
  const std::vector<double>& stat(const char* name) const;

  ParsedStep step_;
  Shape in_shape_, out_shape_;
  std::vector<Statistic> statistics_;
  std::vector<double> shift_, factor_;        // element-wise kinds: y = (x - shift) * factor
  std::vector<float> pca_mean_, projection_;  // pca kinds: y = (x - mean) @ projection [D, m]
};

}  // namespace nabla::data::detail
