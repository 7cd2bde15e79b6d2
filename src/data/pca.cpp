// Covariance and symmetric eigen-decomposition for the pca / whitening preprocessing steps.
// LAPACK's dsyevd comes from the OpenBLAS that nabla links (Debian builds it with LAPACK;
// there is no lapacke.h on the machine, so the Fortran symbol is declared here).
#include "data/pca.hpp"

#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstddef>

#include "nabla/error.hpp"

extern "C" {
// Fortran LAPACK (gfortran ABI: the lengths of the two character arguments come last).
void dsyevd_(const char* jobz, const char* uplo, const blasint* n, double* a, const blasint* lda,
             double* w, double* work, const blasint* lwork, blasint* iwork, const blasint* liwork,
             blasint* info, size_t jobz_len, size_t uplo_len);
}

namespace nabla::data::detail {

std::vector<double> column_means(const float* data, int64_t rows, int64_t cols) {
  std::vector<double> sums(static_cast<size_t>(cols), 0.0);
  for (int64_t r = 0; r < rows; ++r) {
    const float* row = data + r * cols;
    for (int64_t c = 0; c < cols; ++c) sums[c] += row[c];
  }
  for (double& s : sums) s /= static_cast<double>(rows);
  return sums;
}

std::vector<double> covariance(const float* data, int64_t rows, int64_t cols,
                               const std::vector<double>& mean) {
  // Blocks of centred float64 rows, accumulated with a rank-k update: the memory stays a few
  // MB for 60000 x 784 inputs, and dsyrk does half of the products a GEMM would.
  const int64_t block = 512;
  std::vector<double> cov(static_cast<size_t>(cols * cols), 0.0);
  std::vector<double> centred(static_cast<size_t>(std::min(block, rows) * cols));
  for (int64_t start = 0; start < rows; start += block) {
    const int64_t count = std::min(block, rows - start);
    for (int64_t r = 0; r < count; ++r)
      for (int64_t c = 0; c < cols; ++c)
        centred[r * cols + c] = static_cast<double>(data[(start + r) * cols + c]) - mean[c];
    cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, static_cast<blasint>(cols),
                static_cast<blasint>(count), 1.0, centred.data(), static_cast<blasint>(cols), 1.0,
                cov.data(), static_cast<blasint>(cols));
  }
  const double scale = 1.0 / static_cast<double>(rows);
  for (int64_t i = 0; i < cols; ++i)
    for (int64_t j = i; j < cols; ++j) {
      const double v = cov[i * cols + j] * scale;
      cov[i * cols + j] = v;
      cov[j * cols + i] = v;
    }
  return cov;
}

namespace {

// Runs dsyevd on `a` ([n, n], symmetric, so row- and column-major agree): eigenvalues
// ascending into `w`, eigenvector j into column j of the column-major result, i.e. row j of
// `a` read row-major.
void lapack_dsyevd(std::vector<double>& a, std::vector<double>& w, int64_t n) {
  const char jobz = 'V', uplo = 'L';
  const blasint size = static_cast<blasint>(n);
  blasint info = 0, lwork = -1, liwork = -1, iwork_query = 0;
  double work_query = 0.0;
  dsyevd_(&jobz, &uplo, &size, a.data(), &size, w.data(), &work_query, &lwork, &iwork_query,
          &liwork, &info, 1, 1);
  NABLA_CHECK(info == 0, "preprocess pca: LAPACK dsyevd workspace query failed (info ", info,
              ") for a ", n, " x ", n, " covariance");
  lwork = static_cast<blasint>(work_query);
  liwork = iwork_query;
  std::vector<double> work(static_cast<size_t>(std::max<blasint>(lwork, 1)));
  std::vector<blasint> iwork(static_cast<size_t>(std::max<blasint>(liwork, 1)));
  dsyevd_(&jobz, &uplo, &size, a.data(), &size, w.data(), work.data(), &lwork, iwork.data(),
          &liwork, &info, 1, 1);
  NABLA_CHECK(info == 0, "preprocess pca: LAPACK dsyevd did not converge (info ", info, ") for a ",
              n, " x ", n, " covariance; check the inputs for NaN or infinite values");
}

// Runs the LAPACK call of its scope on one thread, then restores the caller's thread count.
// dsyevd spends most of its time in many small BLAS-2 calls; below ~1000 dimensions each
// OpenMP region costs more than it saves, and on a busy machine (a 2-core box shared with a
// build) the barriers stretch a 0.25 s solve for 784 dims to several seconds. The OpenMP build
// of OpenBLAS reads omp_get_max_threads() at every call, a per-thread setting, so other
// threads are unaffected.
class SingleThreadedBelow {
 public:
  SingleThreadedBelow(int64_t n, int64_t limit) : saved_(omp_get_max_threads()) {
    if (n <= limit) omp_set_num_threads(1);
  }
  ~SingleThreadedBelow() { omp_set_num_threads(saved_); }
  SingleThreadedBelow(const SingleThreadedBelow&) = delete;
  SingleThreadedBelow& operator=(const SingleThreadedBelow&) = delete;

 private:
  int saved_;
};

}  // namespace

SymmetricEigen symmetric_eigen(std::vector<double> matrix, int64_t n) {
  NABLA_CHECK(static_cast<int64_t>(matrix.size()) == n * n, "symmetric_eigen: ", matrix.size(),
              " values for a ", n, " x ", n, " matrix");
  for (double v : matrix)
    NABLA_CHECK(std::isfinite(v), "preprocess pca: the covariance holds ", v,
                "; remove NaN or infinite values from the training inputs");
  std::vector<double> ascending(static_cast<size_t>(n));
  {
    const SingleThreadedBelow guard(n, 1024);
    lapack_dsyevd(matrix, ascending, n);
  }
  SymmetricEigen out;
  out.values.resize(static_cast<size_t>(n));
  out.vectors.resize(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i) {
    const int64_t src = n - 1 - i;  // descending
    out.values[i] = ascending[src];
    const double* v = matrix.data() + src * n;
    int64_t largest = 0;
    for (int64_t j = 1; j < n; ++j)
      if (std::abs(v[j]) > std::abs(v[largest])) largest = j;
    const double sign = v[largest] < 0 ? -1.0 : 1.0;
    for (int64_t j = 0; j < n; ++j) out.vectors[i * n + j] = sign * v[j];
  }
  return out;
}

}  // namespace nabla::data::detail
