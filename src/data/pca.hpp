// The linear algebra behind the pca / whitening steps of preprocess.hpp: the covariance of
// float32 rows in float64, and the eigen-decomposition of a symmetric matrix (LAPACK's dsyevd
// from the OpenBLAS nabla links, which carries LAPACK on Debian).
#pragma once

#include <cstdint>
#include <vector>

namespace nabla::data::detail {

// Per-column mean of `rows` x `cols` row-major float32 data, accumulated in float64.
std::vector<double> column_means(const float* data, int64_t rows, int64_t cols);

// (X - mean)ᵀ (X - mean) / rows, [cols, cols] row-major, for X `rows` x `cols` float32
// (the notes' np.dot(X.T, X) / X.shape[0] of the centred data).
std::vector<double> covariance(const float* data, int64_t rows, int64_t cols,
                               const std::vector<double>& mean);

// Eigenvalues in descending order, with eigenvector i in row i of `vectors` ([n, n]
// row-major), each signed so that its largest-magnitude component is positive (the first one
// on ties): the same axes on every run and every LAPACK, comparable with NumPy's eigh.
struct SymmetricEigen {
  std::vector<double> values;
  std::vector<double> vectors;
};
SymmetricEigen symmetric_eigen(std::vector<double> matrix, int64_t n);

}  // namespace nabla::data::detail
