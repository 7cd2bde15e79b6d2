// Naive reference kernels: the obvious loops, in double, over contiguous row-major data.
// Fast kernels are compared with these on random inputs.
#pragma once

#include <cstdint>
#include <vector>

namespace nabla::testing::reference {

// C[m x n] = A[m x k] B[k x n].
std::vector<double> matmul(const std::vector<double>& a, const std::vector<double>& b,
                           int64_t m, int64_t k, int64_t n);
// Sum over `dim` of a row-major tensor of `shape`; the dim is removed.
std::vector<double> sum_dim(const std::vector<double>& x, const std::vector<int64_t>& shape,
                            int64_t dim);
// Softmax along the last dim of a [rows x cols] matrix.
std::vector<double> softmax_rows(const std::vector<double>& x, int64_t rows, int64_t cols);

// The [cols x rows] transpose of a row-major [rows x cols] matrix.
std::vector<double> transpose(const std::vector<double>& x, int64_t rows, int64_t cols);
// C[b] = A[b] B[b] for `batch` stacked row-major products (no broadcasting).
std::vector<double> batched_matmul(const std::vector<double>& a, const std::vector<double>& b,
                                   int64_t batch, int64_t m, int64_t k, int64_t n);
// Max over `dim` of a row-major tensor of `shape` (the dim removed), and the index of the first
// maximum along it, as torch.max(x, dim).
struct MaxDim {
  std::vector<double> values;
  std::vector<int64_t> indices;
};
MaxDim max_dim(const std::vector<double>& x, const std::vector<int64_t>& shape, int64_t dim);
// log(sum(exp(x))) along the last dim of a [rows x cols] matrix, computed with a shift.
std::vector<double> logsumexp_rows(const std::vector<double>& x, int64_t rows, int64_t cols);

// conv2d by its definition: x [N, C, H, W], w [C_out, C / groups, kH, kW], bias [C_out] or
// empty, padding top/left (positions outside the input read 0), output [N, C_out, out_h, out_w].
struct Conv2dGeometry {
  int64_t n, c, h, w, c_out, kh, kw, out_h, out_w;
  int64_t stride_h = 1, stride_w = 1, pad_h = 0, pad_w = 0, dil_h = 1, dil_w = 1, groups = 1;
};
std::vector<double> conv2d(const std::vector<double>& x, const std::vector<double>& w,
                           const std::vector<double>& bias, const Conv2dGeometry& g);

}  // namespace nabla::testing::reference
