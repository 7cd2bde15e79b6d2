// IDX reading (src/data/idx.cpp): round trips through plain and gzip files, every kind of
// corrupt file giving an Error that names the file, and the real Fashion-MNIST files.
#include <zlib.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nabla/data/idx.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;
namespace fs = std::filesystem;

namespace {

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("nabla_idx_test_" + name)).string();
}

std::vector<char> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const std::string& path, const std::vector<char>& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// True when no temporary of write_idx_u8 ("<path>.tmp.<pid>") is left beside `path`.
bool no_temporary_left(const std::string& path) {
  const fs::path target(path);
  for (const auto& entry : fs::directory_iterator(target.parent_path()))
    if (entry.path().filename().string().rfind(target.filename().string() + ".tmp", 0) == 0)
      return false;
  return true;
}

// A 2x3x2 tensor of bytes 0..11 written as IDX; returns its path.
std::string small_idx_file(const std::string& name) {
  const std::string path = temp_path(name);
  data::write_idx_u8(path, arange(12.0).reshape({2, 3, 2}));
  return path;
}

}  // namespace

TEST(Idx, RoundTripPlainFile) {
  const std::string path = small_idx_file("plain.idx");
  const Tensor back = data::read_idx(path);
  EXPECT_EQ(back.shape(), (Shape{2, 3, 2}));
  EXPECT_TRUE(equal(back, arange(12.0).reshape({2, 3, 2})));
  EXPECT_TRUE(equal(data::read_idx(path, DType::i64), arange(12.0).reshape({2, 3, 2}).to(DType::i64)));
  EXPECT_TRUE(no_temporary_left(path));
  fs::remove(path);
}

TEST(Idx, ReadsGzipCompressedFiles) {
  const std::string plain = small_idx_file("gz_source.idx");
  const std::vector<char> bytes = file_bytes(plain);
  const std::string gz = temp_path("compressed.idx.gz");
  gzFile out = gzopen(gz.c_str(), "wb");
  ASSERT_NE(out, nullptr);
  ASSERT_EQ(gzwrite(out, bytes.data(), static_cast<unsigned>(bytes.size())), static_cast<int>(bytes.size()));
  gzclose(out);
  EXPECT_TRUE(equal(data::read_idx(gz), data::read_idx(plain)));
  fs::remove(plain);
  fs::remove(gz);
}

TEST(Idx, TruncatedAtEveryByteIsAClearError) {
  const std::string path = small_idx_file("whole.idx");
  const std::vector<char> bytes = file_bytes(path);
  const std::string cut = temp_path("cut.idx");
  for (size_t length = 0; length < bytes.size(); ++length) {
    write_bytes(cut, std::vector<char>(bytes.begin(), bytes.begin() + static_cast<long>(length)));
    EXPECT_TRUE(throws_error_containing([&] { data::read_idx(cut); }, {"truncated"}))
        << "file cut to " << length << " bytes";
  }
  fs::remove(path);
  fs::remove(cut);
}

TEST(Idx, CorruptHeadersAreClearErrors) {
  const std::string path = small_idx_file("header.idx");
  std::vector<char> bytes = file_bytes(path);
  const std::string bad = temp_path("bad.idx");

  std::vector<char> wrong_magic = bytes;
  wrong_magic[0] = 1;
  write_bytes(bad, wrong_magic);
  EXPECT_TRUE(throws_error_containing([&] { data::read_idx(bad); }, {"is not an IDX file"}));

  std::vector<char> wrong_type = bytes;
  wrong_type[2] = 0x07;
  write_bytes(bad, wrong_type);
  EXPECT_TRUE(throws_error_containing([&] { data::read_idx(bad); }, {"magic bytes 0 0 7 3"}));

  std::vector<char> trailing = bytes;
  trailing.push_back(0);
  write_bytes(bad, trailing);
  EXPECT_TRUE(throws_error_containing([&] { data::read_idx(bad); }, {"bytes after the 12 elements"}));

  std::vector<char> huge = bytes;  // every dim 0xFFFFFFFF
  for (size_t i = 4; i < 16; ++i) huge[i] = static_cast<char>(0xFF);
  write_bytes(bad, huge);
  EXPECT_TRUE(throws_error_containing([&] { data::read_idx(bad); }, {"corrupt header"}));

  // A zero dim makes the count 0, but the other dims still overflowed the tensor's strides
  // (a fuzz finding: tests/fuzz/findings/idx).
  std::vector<char> zero_and_huge = huge;
  for (size_t i = 4; i < 8; ++i) zero_and_huge[i] = 0;
  write_bytes(bad, zero_and_huge);
  EXPECT_TRUE(throws_error_containing([&] { data::read_idx(bad); }, {"corrupt header"}));

  EXPECT_TRUE(throws_error_containing([&] { data::read_idx(temp_path("missing.idx")); },
                                      {"does not exist"}));
  fs::remove(path);
  fs::remove(bad);
}

TEST(Idx, HeaderAnnouncingMoreDataThanTheFileHoldsIsTruncatedNotAnAllocation) {
  // Dims 2^23 x 2^12 x 1 = 2^35 bytes: under the 2^40 sanity limit, but the file holds 12; the
  // reader must fail as truncated after those instead of allocating 32 GiB first.
  const std::string path = small_idx_file("announces_more.idx");
  std::vector<char> bytes = file_bytes(path);
  const unsigned char dims[12] = {0x00, 0x00, 0x80, 0x00, 0x00, 0x00, 0x10, 0x00,
                                  0x00, 0x00, 0x00, 0x01};
  for (size_t i = 0; i < 12; ++i) bytes[4 + i] = static_cast<char>(dims[i]);
  write_bytes(path, bytes);
  EXPECT_TRUE(throws_error_containing([&] { data::read_idx(path); }, {"truncated"}));
  fs::remove(path);
}

// An IDX file of big-endian float64 elements (type 0x0E), one dim.
std::string float64_idx_file(const std::string& name, const std::vector<double>& values) {
  std::vector<char> bytes = {0, 0, 0x0E, 1, 0, 0, 0, static_cast<char>(values.size())};
  for (double value : values) {
    uint64_t bits;
    std::memcpy(&bits, &value, 8);
    for (int shift = 56; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>(bits >> shift));
  }
  const std::string path = temp_path(name);
  write_bytes(path, bytes);
  return path;
}

TEST(Idx, FloatElementsReadAsLabelsMustBeWholeNumbers) {
  const std::string whole = float64_idx_file("float_labels.idx", {0.0, 3.0, 9.0});
  EXPECT_EQ(data::read_idx(whole, DType::i64).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 3, 9}));
  // Casting any of these to int64 is undefined behaviour; each must be an Error naming it.
  const double bad[] = {1e30, -1.67e38, std::nan(""), INFINITY, 2.5};
  for (double value : bad) {
    const std::string path = float64_idx_file("bad_labels.idx", {1.0, 2.0, 0.0, value});
    EXPECT_TRUE(throws_error_containing([&] { data::read_idx(path, DType::i64); },
                                        {"element 3", path, "not a whole number"}))
        << value;
    EXPECT_NO_THROW(data::read_idx(path, DType::f64));  // as data they are fine
    fs::remove(path);
  }
  fs::remove(whole);
}

TEST(Idx, MaxRowsReadsOnlyTheFirstRows) {
  const std::string path = small_idx_file("rows.idx");
  const Tensor first = data::read_idx(path, DType::f32, 1);
  EXPECT_TRUE(equal(first, arange(6.0).reshape({1, 3, 2})));
  EXPECT_TRUE(equal(data::read_idx(path, DType::f32, 5), data::read_idx(path)));
  fs::remove(path);
}

TEST(Idx, WriteRejectsNonBytesAndLeavesNoFile) {
  const std::string path = temp_path("rejected.idx");
  EXPECT_TRUE(throws_error_containing([&] { data::write_idx_u8(path, full({3}, 256.0)); },
                                      {"not an integer in [0, 255]"}));
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(no_temporary_left(path));
}

TEST(Idx, MissingDatasetDirectoryIsAClearError) {
  EXPECT_TRUE(throws_error_containing([] { data::load_mnist_like("/nonexistent/mnist", true); },
                                      {"does not exist"}));
}

TEST(Idx, ReadsTheFashionMnistTestSplit) {
  // make test installs dataset-fashion-mnist (scripts/install-deps.sh).
  const data::ImageSet test = data::load_mnist_like(data::kFashionMnistDir, false);
  EXPECT_EQ(test.images.shape(), (Shape{10000, 1, 28, 28}));
  EXPECT_EQ(test.labels.shape(), (Shape{10000}));
  EXPECT_EQ(test.labels.dtype(), DType::i64);
  EXPECT_LE(max(test.images).item(), 1.0);
  EXPECT_GE(min(test.images).item(), 0.0);
  // Fashion-MNIST's test split is balanced: 1,000 images of each class.
  for (int64_t c = 0; c < 10; ++c)
    EXPECT_EQ(sum(eq(test.labels, full({}, static_cast<double>(c), {.dtype = DType::i64})).to(DType::f64)).item(), 1000.0);
}
