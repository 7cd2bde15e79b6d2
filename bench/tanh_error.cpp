// The error of nabla's float32 tanh kernels over every float32 bit pattern, against
// double-precision std::tanh rounded nowhere: for approximate = "rational" (the ratio of
// polynomials of src/backend/rational_tanh.hpp) and, for comparison, the exact kernel (libm's
// tanhf). Runs the library's own kernels (nn::functional::tanh on tensors of 2^22 elements), so
// the figures are those of the build it links (the release preset: x86-64-v3, with FMA).
//   build/release/bench/tanh_error            ~5 min on one core; prints one table
// Error in ulps is |y − tanh(x)| / ulp(tanh(x)), ulp(r) the spacing of float32 at |r| (2^-149
// below the normal range). NaN must give NaN; ±inf must give ±1 exactly; |y| must stay ≤ 1.
// Not a unit test (too slow for CI): tests/nn/tanh_linear_test.cpp checks a sample against the
// bound this measures.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "nabla/nabla.hpp"

namespace {

struct Worst {
  double abs = 0.0, ulp = 0.0, ulp_sum = 0.0;
  float abs_at = 0.0f, ulp_at = 0.0f;
  int64_t over_one_ulp = 0, compared = 0, bad_special = 0, above_one = 0;
};

double ulp_of(double r) {
  r = std::fabs(r);
  if (r < 0x1p-126) return 0x1p-149;
  int e = 0;
  std::frexp(r, &e);
  return std::ldexp(1.0, e - 24);
}

void account(Worst& w, float x, float y) {
  if (std::isnan(x)) {
    w.bad_special += !std::isnan(y);
    return;
  }
  if (std::isinf(x)) {
    w.bad_special += y != (x > 0 ? 1.0f : -1.0f);
    return;
  }
  w.above_one += std::fabs(y) > 1.0f;
  const double exact = std::tanh(static_cast<double>(x));
  const double err = std::fabs(static_cast<double>(y) - exact);
  const double ulps = err / ulp_of(exact);
  if (err > w.abs) w.abs = err, w.abs_at = x;
  if (ulps > w.ulp) w.ulp = ulps, w.ulp_at = x;
  w.over_one_ulp += ulps > 1.0;
  w.ulp_sum += ulps;
  ++w.compared;
}

void print(const char* name, const Worst& w) {
  std::printf("| %s | %.3e (x = %.9g) | %.3f (x = %.9g) | %.4f | %lld | %lld | %lld |\n", name,
              w.abs, w.abs_at, w.ulp, w.ulp_at, w.ulp_sum / static_cast<double>(w.compared),
              static_cast<long long>(w.over_one_ulp), static_cast<long long>(w.above_one),
              static_cast<long long>(w.bad_special));
}

}  // namespace

int main() {
  nabla::set_num_threads(1);
  nabla::autograd::NoGradGuard no_grad;
  constexpr int64_t kChunk = int64_t{1} << 22;
  nabla::Tensor x = nabla::empty({kChunk});
  Worst rational, exact;
  for (int64_t start = 0; start < (int64_t{1} << 32); start += kChunk) {
    float* xs = x.data<float>();
    for (int64_t i = 0; i < kChunk; ++i) {
      const auto bits = static_cast<uint32_t>(start + i);
      std::memcpy(&xs[i], &bits, sizeof(float));
    }
    const std::vector<float> yr = nabla::nn::functional::tanh(x, "rational").to_vector<float>();
    const std::vector<float> ye = nabla::nn::functional::tanh(x).to_vector<float>();
    for (int64_t i = 0; i < kChunk; ++i) {
      account(rational, xs[i], yr[i]);
      account(exact, xs[i], ye[i]);
    }
  }
  std::printf("every float32 bit pattern (%lld finite compared), against double std::tanh:\n\n",
              static_cast<long long>(rational.compared));
  std::printf("| kernel | max abs error | max error (ulp) | mean (ulp) | inputs over 1 ulp "
              "| |y| > 1 | wrong NaN/inf |\n| --- | --- | --- | ---: | ---: | ---: | ---: |\n");
  print("rational (approximate = \"rational\")", rational);
  print("exact (libm tanhf)", exact);
  return rational.bad_special + exact.bad_special + rational.above_one == 0 ? 0 : 1;
}
