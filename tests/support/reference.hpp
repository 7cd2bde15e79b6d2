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

}  // namespace nabla::testing::reference
