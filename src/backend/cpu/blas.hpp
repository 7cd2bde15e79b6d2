// The one cblas GEMM wrapper of the CPU backend (gemm.cpp's matmul, conv.cpp's im2col products):
// row-major C[m, n] = alpha · op(A) op(B) + beta · C, op a transpose when trans_*. Transposes
// are BLAS flags with the operand's own leading dimension, never copies.
#pragma once

#include <cblas.h>

#include <cstdint>
#include <type_traits>

namespace nabla::cpu {

template <class T>
void blas_gemm(bool trans_a, bool trans_b, int64_t m, int64_t n, int64_t k, T alpha, const T* a,
               int64_t lda, const T* b, int64_t ldb, T beta, T* c, int64_t ldc) {
  static_assert(std::is_same_v<T, float> || std::is_same_v<T, double>);
  const auto ta = trans_a ? CblasTrans : CblasNoTrans, tb = trans_b ? CblasTrans : CblasNoTrans;
  const auto i = [](int64_t v) { return static_cast<blasint>(v); };
  if constexpr (std::is_same_v<T, float>)
    cblas_sgemm(CblasRowMajor, ta, tb, i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c,
                i(ldc));
  else
    cblas_dgemm(CblasRowMajor, ta, tb, i(m), i(n), i(k), alpha, a, i(lda), b, i(ldb), beta, c,
                i(ldc));
}

}  // namespace nabla::cpu
