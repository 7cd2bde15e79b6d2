// .npy files (src/data/npy.cpp): round trips, bytes as NumPy writes them (written out here byte
// by byte, so no NumPy is needed), big-endian, Fortran order, every integer width, and the
// malformed files that must be errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nabla/data/npy.hpp"
#include "support/harness.hpp"

using namespace nabla;
using nabla::testing::throws_error_containing;
namespace fs = std::filesystem;

namespace {

class NpyFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nabla_npy_test_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // An .npy file of version 1.0 with `header` (padded as NumPy does) and `data`.
  std::string write(const std::string& header, const std::string& data, const std::string& name = "a.npy") {
    std::string h = header;
    while ((10 + h.size() + 1) % 64 != 0) h += ' ';
    h += '\n';
    std::string bytes = "\x93NUMPY";
    bytes += '\x01';
    bytes += '\x00';
    bytes += static_cast<char>(h.size() & 0xff);
    bytes += static_cast<char>(h.size() >> 8);
    const std::string path = (dir_ / name).string();
    std::ofstream(path, std::ios::binary) << bytes << h << data;
    return path;
  }

  fs::path dir_;
};

std::string bytes_of(const void* p, size_t n) { return std::string(static_cast<const char*>(p), n); }

}  // namespace

TEST_F(NpyFiles, RoundTripsFloatAndIntegerTensors) {
  const Tensor f = from_vector(std::vector<float>{1.5f, -2, 3, 4, 5, 6}, {2, 3});
  data::write_npy((dir_ / "f.npy").string(), f);
  const Tensor back = data::read_npy((dir_ / "f.npy").string());
  EXPECT_EQ(back.dtype(), DType::f32);
  EXPECT_EQ(back.shape(), (Shape{2, 3}));
  EXPECT_EQ(back.to_vector<float>(), f.to_vector<float>());
  // The header is NumPy's: data on a 64-byte boundary.
  EXPECT_EQ(fs::file_size(dir_ / "f.npy"), 128u + 6 * 4);
  const Tensor i = from_vector(std::vector<int64_t>{7, -8, 9});
  data::write_npy((dir_ / "i.npy").string(), i);
  EXPECT_EQ(data::read_npy((dir_ / "i.npy").string()).to_vector<int64_t>(), i.to_vector<int64_t>());
  const Tensor scalar = from_vector(std::vector<double>{2.5}).reshape({});
  data::write_npy((dir_ / "s.npy").string(), scalar);
  const Tensor s = data::read_npy((dir_ / "s.npy").string());
  EXPECT_EQ(s.dim(), 0);
  EXPECT_EQ(s.item(), 2.5);
}

TEST_F(NpyFiles, ReadsNumpysDtypesOrdersAndEndianness) {
  const uint8_t u8[] = {0, 255, 7};
  EXPECT_EQ(data::read_npy(write("{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }",
                                 bytes_of(u8, 3))).to_vector<int64_t>(),
            (std::vector<int64_t>{0, 255, 7}));
  const int16_t i2[] = {-3, 300};
  EXPECT_EQ(data::read_npy(write("{'descr': '<i2', 'fortran_order': False, 'shape': (2,), }",
                                 bytes_of(i2, 4), "i2.npy")).to_vector<int64_t>(),
            (std::vector<int64_t>{-3, 300}));
  const std::string big_one = std::string("\x3f\x80\x00\x00", 4);  // 1.0f big-endian
  EXPECT_EQ(data::read_npy(write("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }",
                                 big_one, "big.npy")).to_vector<float>(),
            (std::vector<float>{1.0f}));
  const bool flags[] = {true, false};
  EXPECT_EQ(data::read_npy(write("{\"descr\": \"|b1\", \"shape\": (2,), \"fortran_order\": False}",
                                 bytes_of(flags, 2), "b.npy")).to_vector<int64_t>(),
            (std::vector<int64_t>{1, 0}));
  // Fortran order: the columns are stored one after the other.
  const double columns[] = {1, 4, 2, 5, 3, 6};
  const Tensor m = data::read_npy(write("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }",
                                        bytes_of(columns, sizeof columns), "fortran.npy"));
  EXPECT_EQ(m.shape(), (Shape{2, 3}));
  EXPECT_EQ(m.to_vector<double>(), (std::vector<double>{1, 2, 3, 4, 5, 6}));
}

TEST_F(NpyFiles, MalformedFilesAreErrors) {
  const float one = 1;
  const std::string ok = "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }";
  const std::string short_file = write("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }",
                                       bytes_of(&one, 4), "short.npy");
  EXPECT_TRUE(throws_error_containing([&] { data::read_npy(short_file); },
                                      {short_file, "4 bytes of data", "needs 8"}));
  const std::string huge = write("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000,), }",
                                 bytes_of(&one, 4), "huge.npy");
  EXPECT_TRUE(throws_error_containing([&] { data::read_npy(huge); }, {"needs 4000000000000"}));
  // A zero dim empties the array, but the other dims still size its strides: their product is
  // bounded too (the fuzzer's first npy finding, tests/fuzz/findings/npy).
  const std::string zero = write("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 2000000, 2000000), }",
                                 "", "zero.npy");
  EXPECT_TRUE(throws_error_containing([&] { data::read_npy(zero); }, {"more than 2^40 elements"}));
  const std::string empty = write("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", "",
                                  "empty.npy");
  EXPECT_EQ(data::read_npy(empty).shape(), (Shape{0, 3}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_npy(write("{'descr': '<f2', 'fortran_order': False, 'shape': (2,), }",
                                 bytes_of(&one, 4), "half.npy")); },
      {"dtype '<f2'", "astype"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_npy(write("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }",
                                 bytes_of(&one, 4), "struct.npy")); },
      {"structured dtype"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_npy(write("{'descr': '<f4', 'shape': (1,), }", bytes_of(&one, 4), "noorder.npy")); },
      {"'fortran_order'"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_npy(write("{'descr': '<f4', 'fortran_order': False, 'shape': (1, -2), }",
                                 bytes_of(&one, 4), "negative.npy")); },
      {"not a whole number"}));
  const uint64_t above = uint64_t{1} << 63;
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_npy(write("{'descr': '<u8', 'fortran_order': False, 'shape': (1,), }",
                                 bytes_of(&above, 8), "u8.npy")); },
      {"above the largest int64"}));
  const std::string text = (dir_ / "text.npy").string();
  std::ofstream(text) << "x,y\n1,2\n";
  EXPECT_TRUE(throws_error_containing([&] { data::read_npy(text); }, {"not an .npy file"}));
  EXPECT_EQ(data::read_npy(write(ok, bytes_of(&one, 4), "ok.npy")).item(), 1.0);
}

TEST_F(NpyFiles, IntegerInputsArePixels) {
  EXPECT_EQ(data::float_inputs(from_vector(std::vector<int64_t>{0, 255}), "x").to_vector<float>(),
            (std::vector<float>{0.0f, 1.0f}));
  EXPECT_EQ(data::float_inputs(from_vector(std::vector<double>{-3, 300}), "x").dtype(), DType::f32);
  EXPECT_TRUE(throws_error_containing(
      [] { data::float_inputs(from_vector(std::vector<int64_t>{0, 256}), "inputs.npy"); },
      {"inputs.npy holds integers in [0, 256]"}));
}
