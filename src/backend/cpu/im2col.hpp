// im2col / col2im for one image (or one group of its channels): with blas_gemm (blas.hpp), the
// pieces conv.cpp builds a convolution from.
//   col[(c·kH + i)·kW + j, oh·W_out + ow] = x[c, oh·sH − pH + i·dH, ow·sW − pW + j·dW]
// (zero where that position lies in the padding). col2im is its adjoint: it adds each column
// entry back onto the input position it was read from.
#pragma once

#include <cstdint>

#include "backend/backend.hpp"

namespace nabla::cpu {

// The geometry of one convolution, in elements.
struct ConvGeometry {
  int64_t channels = 0, height = 0, width = 0;  // of the input (one group's channels)
  int64_t kernel_h = 0, kernel_w = 0;
  int64_t out_h = 0, out_w = 0;
  std::array<int64_t, 2> stride{1, 1}, padding{0, 0}, dilation{1, 1};
  int64_t col_rows() const { return channels * kernel_h * kernel_w; }
  int64_t col_cols() const { return out_h * out_w; }
  // A 1x1 kernel with unit stride and no padding: the image is its own column matrix.
  bool is_pointwise() const {
    return kernel_h == 1 && kernel_w == 1 && stride[0] == 1 && stride[1] == 1 &&
           padding[0] == 0 && padding[1] == 0 && out_h == height && out_w == width;
  }
};

// col [col_rows, col_cols] from x [channels, height, width].
template <class T> void im2col(const ConvGeometry& g, const T* x, T* col);
// x [channels, height, width] += the adjoint of im2col applied to col.
template <class T> void col2im(const ConvGeometry& g, const T* col, T* x);

}  // namespace nabla::cpu
