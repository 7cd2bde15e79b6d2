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

}  // namespace nabla::testing::reference
