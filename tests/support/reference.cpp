#include "support/reference.hpp"

#include <algorithm>
#include <cmath>

namespace nabla::testing::reference {

std::vector<double> matmul(const std::vector<double>& a, const std::vector<double>& b,
                           int64_t m, int64_t k, int64_t n) {
  std::vector<double> c(m * n, 0.0);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p) c[i * n + j] += a[i * k + p] * b[p * n + j];
  return c;
}

std::vector<double> sum_dim(const std::vector<double>& x, const std::vector<int64_t>& shape,
                            int64_t dim) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= shape[d];
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[dim];
  std::vector<double> out(outer * inner, 0.0);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < n; ++j)
      for (int64_t i = 0; i < inner; ++i) out[o * inner + i] += x[(o * n + j) * inner + i];
  return out;
}

std::vector<double> softmax_rows(const std::vector<double>& x, int64_t rows, int64_t cols) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = x.data() + r * cols;
    const double max = *std::max_element(row, row + cols);
    double total = 0.0;
    for (int64_t c = 0; c < cols; ++c) total += std::exp(row[c] - max);
    for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = std::exp(row[c] - max) / total;
  }
  return y;
}

}  // namespace nabla::testing::reference

namespace nabla::testing::reference {

std::vector<double> transpose(const std::vector<double>& x, int64_t rows, int64_t cols) {
  std::vector<double> y(x.size());
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) y[c * rows + r] = x[r * cols + c];
  return y;
}

std::vector<double> batched_matmul(const std::vector<double>& a, const std::vector<double>& b,
                                   int64_t batch, int64_t m, int64_t k, int64_t n) {
  std::vector<double> c;
  for (int64_t i = 0; i < batch; ++i) {
    const std::vector<double> ai(a.begin() + i * m * k, a.begin() + (i + 1) * m * k);
    const std::vector<double> bi(b.begin() + i * k * n, b.begin() + (i + 1) * k * n);
    const std::vector<double> ci = matmul(ai, bi, m, k, n);
    c.insert(c.end(), ci.begin(), ci.end());
  }
  return c;
}

MaxDim max_dim(const std::vector<double>& x, const std::vector<int64_t>& shape, int64_t dim) {
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < dim; ++d) outer *= shape[d];
  for (size_t d = dim + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t n = shape[dim];
  MaxDim out{std::vector<double>(outer * inner), std::vector<int64_t>(outer * inner)};
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t i = 0; i < inner; ++i) {
      int64_t best = 0;
      for (int64_t j = 1; j < n; ++j)
        if (x[(o * n + j) * inner + i] > x[(o * n + best) * inner + i]) best = j;
      out.values[o * inner + i] = x[(o * n + best) * inner + i];
      out.indices[o * inner + i] = best;
    }
  return out;
}

std::vector<double> logsumexp_rows(const std::vector<double>& x, int64_t rows, int64_t cols) {
  std::vector<double> y(rows);
  for (int64_t r = 0; r < rows; ++r) {
    const double* row = x.data() + r * cols;
    const double max = *std::max_element(row, row + cols);
    double total = 0.0;
    for (int64_t c = 0; c < cols; ++c) total += std::exp(row[c] - max);
    y[r] = max + std::log(total);
  }
  return y;
}

// conv2d: see reference.hpp.
std::vector<double> conv2d(const std::vector<double>& x, const std::vector<double>& w,
                           const std::vector<double>& bias, const Conv2dGeometry& g) {
  const int64_t cg = g.c / g.groups, og = g.c_out / g.groups;
  std::vector<double> y(g.n * g.c_out * g.out_h * g.out_w, 0.0);
  for (int64_t n = 0; n < g.n; ++n)
    for (int64_t o = 0; o < g.c_out; ++o)
      for (int64_t i = 0; i < g.out_h; ++i)
        for (int64_t j = 0; j < g.out_w; ++j) {
          double acc = bias.empty() ? 0.0 : bias[o];
          for (int64_t c = 0; c < cg; ++c)
            for (int64_t p = 0; p < g.kh; ++p)
              for (int64_t q = 0; q < g.kw; ++q) {
                const int64_t h = i * g.stride_h - g.pad_h + p * g.dil_h;
                const int64_t v = j * g.stride_w - g.pad_w + q * g.dil_w;
                if (h < 0 || h >= g.h || v < 0 || v >= g.w) continue;
                const int64_t ci = (o / og) * cg + c;
                acc += w[((o * cg + c) * g.kh + p) * g.kw + q] *
                       x[((n * g.c + ci) * g.h + h) * g.w + v];
              }
          y[((n * g.c_out + o) * g.out_h + i) * g.out_w + j] = acc;
        }
  return y;
}

}  // namespace nabla::testing::reference
