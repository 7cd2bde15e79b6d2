// IDX, the MNIST file format: a 4-byte magic (0, 0, element type, rank), one big-endian uint32
// per dim, then the elements in row-major order, big-endian. Files may be gzip-compressed
// (the Debian dataset packages ship .gz); both are read directly.
#pragma once
#pragma GCC visibility push(default)

#include <string>

#include "nabla/tensor.hpp"

namespace nabla::data {

// The whole file as a tensor of `dtype` (element values converted, not scaled), or with
// max_rows > 0 only its first max_rows entries along dim 0 (the rest is not read, so trailing
// bytes go unnoticed then). Any problem (missing file, bad magic, unknown element type,
// truncated data, trailing bytes) is an Error naming the file, the byte offset where relevant
// and what was expected.
Tensor read_idx(const std::string& path, DType dtype = DType::f32, int64_t max_rows = 0);

// Writes `tensor` as an uncompressed IDX file of unsigned bytes (values must be integers in
// [0, 255]); for tests and small exports. Written to a temporary name (unique per process) and
// renamed, so a failure leaves no partial file.
void write_idx_u8(const std::string& path, const Tensor& tensor);

// One split of MNIST or Fashion-MNIST: images [N, 1, 28, 28] as float32 pixel values / 255,
// labels [N] as int64.
struct ImageSet {
  Tensor images;
  Tensor labels;
};

// The default location of Debian's dataset-fashion-mnist package.
inline constexpr const char* kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

// Reads `<dir>/train-*` (train = true) or `<dir>/t10k-*` files, .gz or not; `limit` > 0 keeps
// the first `limit` samples. A missing directory names the package to install.
ImageSet load_mnist_like(const std::string& dir, bool train, int64_t limit = 0);

}  // namespace nabla::data

#pragma GCC visibility pop
