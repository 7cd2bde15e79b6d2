#include "nabla/data/idx.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <type_traits>
#include <vector>

#include "nabla/error.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/ops.hpp"

namespace nabla::data {

namespace {

// A gzip or plain file read sequentially; zlib passes plain files through unchanged.
class CompressedReader {
 public:
  explicit CompressedReader(const std::string& path) : path_(path) {
    NABLA_CHECK(std::filesystem::exists(path), "read_idx: file '", path, "' does not exist");
    file_.reset(gzopen(path.c_str(), "rb"));
    NABLA_CHECK(file_ != nullptr, "read_idx: cannot open '", path, "': ", std::strerror(errno));
    // A large buffer speeds the 26 MB Fashion-MNIST files; a small file gets one its own size
    // (zlib's input buffer plus twice that for output), not 3 MiB for a few bytes.
    std::error_code size_error;
    const auto file_bytes = std::filesystem::file_size(path, size_error);
    const uintmax_t wanted = size_error ? uintmax_t{1} << 20 : file_bytes;
    gzbuffer(file_.get(), static_cast<unsigned>(std::clamp<uintmax_t>(wanted, 8192, 1 << 20)));
  }

  // Reads exactly `bytes` bytes; `what` names them in the error.
  void read_exactly(void* out, size_t bytes, const char* what) {
    size_t done = 0;
    while (done < bytes) {
      const unsigned chunk = static_cast<unsigned>(std::min<size_t>(bytes - done, 1u << 30));
      const int got = gzread(file_.get(), static_cast<char*>(out) + done, chunk);
      if (got < 0) {
        int code = 0;
        const char* message = gzerror(file_.get(), &code);
        NABLA_FAIL("read_idx: '", path_, "' is corrupt at byte ", offset_ + done, " (", message,
                   "); re-download or reinstall it");
      }
      NABLA_CHECK(got > 0, "read_idx: '", path_, "' is truncated: it ends at byte ", offset_ + done,
                  " while reading ", what, " (", bytes, " bytes expected from byte ", offset_,
                  ")");
      done += static_cast<size_t>(got);
    }
    offset_ += bytes;
  }

  bool at_end() {
    char probe;
    const int got = gzread(file_.get(), &probe, 1);
    return got == 0;
  }
  size_t offset() const { return offset_; }

 private:
  struct Closer {
    void operator()(gzFile f) const { gzclose(f); }
  };
  std::string path_;
  std::unique_ptr<gzFile_s, Closer> file_;
  size_t offset_ = 0;
};

uint32_t big_endian_u32(const unsigned char* b) {
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
}

// Element size of an IDX type code, 0 when the code is unknown.
size_t element_size(unsigned char type) {
  switch (type) {
    case 0x08: case 0x09: return 1;  // unsigned / signed byte
    case 0x0B: return 2;             // int16
    case 0x0C: case 0x0D: return 4;  // int32, float32
    case 0x0E: return 8;             // float64
    default: return 0;
  }
}

// The big-endian element at `p` of IDX `type`, as double (exact for every IDX type).
double element_value(unsigned char type, const unsigned char* p) {
  uint64_t bits = 0;
  for (size_t i = 0; i < element_size(type); ++i) bits = (bits << 8) | p[i];
  switch (type) {
    case 0x08: return static_cast<double>(p[0]);
    case 0x09: return static_cast<double>(static_cast<int8_t>(p[0]));
    case 0x0B: return static_cast<double>(static_cast<int16_t>(bits));
    case 0x0C: return static_cast<double>(static_cast<int32_t>(bits));
    case 0x0D: {
      const auto narrow = static_cast<uint32_t>(bits);
      float f;
      std::memcpy(&f, &narrow, 4);
      return f;
    }
    default: {
      double d;
      std::memcpy(&d, &bits, 8);
      return d;
    }
  }
}

// What to do when a data set directory or file is missing.
std::string install_hint(const std::string& dir) {
  return dir == kFashionMnistDir ? "; install it with: apt-get install dataset-fashion-mnist" : "";
}

// The first existing one of `<dir>/<stem>` and `<dir>/<stem>.gz`.
std::string find_file(const std::string& dir, const std::string& stem) {
  for (const std::string& name : {stem, stem + ".gz"}) {
    const std::string path = dir + "/" + name;
    if (std::filesystem::exists(path)) return path;
  }
  NABLA_FAIL("load_mnist_like: neither '", dir, "/", stem, "' nor its .gz exists",
             install_hint(dir));
}

}  // namespace

Tensor read_idx(const std::string& path, DType dtype, int64_t max_rows) {
  CompressedReader in(path);
  std::array<unsigned char, 4> magic{};
  in.read_exactly(magic.data(), 4, "the magic number");
  const unsigned char type = magic[2], rank = magic[3];
  NABLA_CHECK(magic[0] == 0 && magic[1] == 0 && element_size(type) != 0 && rank >= 1, "read_idx: '",
              path, "' is not an IDX file (magic bytes ", int(magic[0]), " ", int(magic[1]), " ",
              int(type), " ", int(rank), "; expected 0 0 TYPE RANK with TYPE one of 8, 9, 11, "
              "12, 13, 14 and RANK >= 1)");
  Shape shape(rank);
  std::vector<unsigned char> dims(4 * size_t{rank});
  in.read_exactly(dims.data(), dims.size(), "the dims");
  // No data set is anywhere near 2^40 elements; a larger product means a corrupt header.
  constexpr int64_t kMaxElements = int64_t{1} << 40;
  // Zero dims are skipped in the bound, as the tensor's strides multiply the others anyway.
  int64_t count = 1, nonzero_product = 1;
  for (size_t d = 0; d < rank; ++d) {
    shape[d] = big_endian_u32(&dims[4 * d]);
    NABLA_CHECK(shape[d] == 0 || nonzero_product <= kMaxElements / shape[d], "read_idx: '", path,
                "' has a corrupt header: dims ", shape, " would hold more than 2^40 elements");
    if (shape[d] != 0) nonzero_product *= shape[d];
    count *= shape[d];
  }
  const bool all_rows = max_rows <= 0 || max_rows >= shape[0];
  if (!all_rows) {
    count = count / shape[0] * max_rows;  // shape[0] > max_rows > 0 here
    shape[0] = max_rows;
  }
  // Read in slices that double as data arrives (64 KiB, 128 KiB, ...): a corrupt header
  // announcing far more data than the file holds then fails as truncated having allocated at
  // most twice what the file held, not the announced size.
  const size_t width = element_size(type), total = static_cast<size_t>(count) * width;
  std::vector<unsigned char> raw;
  while (raw.size() < total) {
    const size_t done = raw.size();
    const size_t slice = std::min(std::max<size_t>(done, size_t{64} << 10), total - done);
    raw.resize(done + slice);
    in.read_exactly(raw.data() + done, slice, "the data");
  }
  NABLA_CHECK(!all_rows || in.at_end(), "read_idx: '", path, "' has bytes after the ", count,
              " elements its header announces (byte ", in.offset(), " onward); it is not a "
              "valid IDX file");

  Tensor out = empty(shape, {.dtype = dtype});
  auto convert = [&](auto* dst) {
    using T = std::remove_pointer_t<decltype(dst)>;
    if (type == 0x08) {  // unsigned bytes, nearly every IDX file: no per-element decoding
      for (int64_t i = 0; i < count; ++i) dst[i] = static_cast<T>(raw[static_cast<size_t>(i)]);
      return;
    }
    for (int64_t i = 0; i < count; ++i) {
      const double value = element_value(type, &raw[static_cast<size_t>(i) * width]);
      if constexpr (std::is_integral_v<T>)
        // Float elements read as integers (labels) must be whole and in range: the cast of
        // anything else is undefined behaviour.
        NABLA_CHECK(std::isfinite(value) && value == std::floor(value) &&
                        std::fabs(value) <= 9.0e15,
                    "read_idx: element ", i, " of '", path, "' is ", value, ", not a whole "
                    "number; labels must be integers (is this the labels file?)");
      else if constexpr (std::is_same_v<T, float>)
        NABLA_CHECK(!std::isfinite(value) || std::fabs(value) <= FLT_MAX, "read_idx: element ",
                    i, " of '", path, "' is ", value, ", beyond float32's range");
      dst[i] = static_cast<T>(value);
    }
  };
  switch (dtype) {
    case DType::f32: convert(out.data<float>()); break;
    case DType::f64: convert(out.data<double>()); break;
    case DType::i64: convert(out.data<int64_t>()); break;
    default: NABLA_FAIL("read_idx: cannot read into dtype ", dtype, "; use f32, f64 or i64");
  }
  return out;
}

void write_idx_u8(const std::string& path, const Tensor& tensor) {
  NABLA_CHECK(tensor.dim() >= 1 && tensor.dim() <= 255, "write_idx_u8: tensor of shape ",
              tensor.shape(), " needs 1 to 255 dims");
  const std::vector<double> values = tensor.to_vector<double>();
  std::vector<unsigned char> bytes = {0, 0, 0x08, static_cast<unsigned char>(tensor.dim())};
  for (int64_t size : tensor.shape())
    for (int shift : {24, 16, 8, 0}) bytes.push_back(static_cast<unsigned char>(size >> shift));
  for (double v : values) {
    NABLA_CHECK(v >= 0 && v <= 255 && v == static_cast<int>(v), "write_idx_u8: value ", v,
                " is not an integer in [0, 255]; scale and round first");
    bytes.push_back(static_cast<unsigned char>(v));
  }
  io::write_file_atomically(
      path, std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()), "write_idx_u8");
}

ImageSet load_mnist_like(const std::string& dir, bool train, int64_t limit) {
  NABLA_CHECK(std::filesystem::is_directory(dir), "load_mnist_like: directory '", dir,
              "' does not exist", install_hint(dir));
  const std::string prefix = train ? "train" : "t10k";
  // Only the first `limit` samples are decompressed and converted.
  const Tensor images = read_idx(find_file(dir, prefix + "-images-idx3-ubyte"), DType::f32, limit);
  const Tensor labels =
      read_idx(find_file(dir, prefix + "-labels-idx1-ubyte"), DType::i64, limit);
  NABLA_CHECK(images.dim() == 3 && labels.dim() == 1 && images.size(0) == labels.size(0),
              "load_mnist_like: images of shape ", images.shape(), " and labels of shape ",
              labels.shape(), " in '", dir, "' do not match ([N, H, W] and [N] expected)");
  return {(images / 255.0).unsqueeze(1), labels};
}

}  // namespace nabla::data
