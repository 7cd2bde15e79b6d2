// CIFAR binary batches (src/data/cifar.cpp) on small files written here: layout, the three
// variants, several files and limit, and truncated / corrupt files.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nabla/data/dataset.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;
namespace fs = std::filesystem;

namespace {

class CifarFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nabla_cifar_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Writes records with the given label bytes; record r's pixel p is (r * 7 + p) % 256.
  std::string write(const std::string& name, const std::vector<std::vector<unsigned char>>& labels,
                    size_t chop = 0) {
    std::vector<char> bytes;
    for (size_t r = 0; r < labels.size(); ++r) {
      for (unsigned char l : labels[r]) bytes.push_back(static_cast<char>(l));
      for (int p = 0; p < 3072; ++p) bytes.push_back(static_cast<char>((r * 7 + p) % 256));
    }
    bytes.resize(bytes.size() - chop);
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
  }

  fs::path dir_;
};

float pixel(int64_t record, int64_t p) {
  return static_cast<float>((record * 7 + p) % 256) / 255.0f;
}

}  // namespace

TEST_F(CifarFiles, ReadsCifar10RecordsChannelMajor) {
  const std::string path = write("data_batch_1.bin", {{3}, {0}, {9}});
  const data::Dataset d = data::read_cifar_binary({path}, data::CifarVariant::cifar10);
  EXPECT_EQ(d.inputs.shape(), (Shape{3, 3, 32, 32}));
  EXPECT_EQ(d.targets.to_vector<int64_t>(), (std::vector<int64_t>{3, 0, 9}));
  EXPECT_EQ(d.num_classes, 10);
  ASSERT_EQ(d.class_names.size(), 10u);
  EXPECT_EQ(d.class_names[3], "cat");
  const std::vector<float> x = d.inputs.to_vector<float>();
  // Element [r, c, h, w] is pixel byte c * 1024 + h * 32 + w of record r.
  for (int64_t r : {0, 2})
    for (int64_t p : {0, 1, 31, 32, 1023, 1024, 2047, 3071})
      EXPECT_EQ(x[r * 3072 + p], pixel(r, p)) << "record " << r << " pixel " << p;
}

TEST_F(CifarFiles, ConcatenatesFilesAndHonoursLimit) {
  const std::string a = write("a.bin", {{1}, {2}});
  const std::string b = write("b.bin", {{3}, {4}, {5}});
  const data::Dataset all = data::read_cifar_binary({a, b}, data::CifarVariant::cifar10);
  EXPECT_EQ(all.targets.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  // Record 2 comes from b's record 0.
  EXPECT_EQ(all.inputs.to_vector<float>()[2 * 3072 + 5], pixel(0, 5));
  const data::Dataset three = data::read_cifar_binary({a, b}, data::CifarVariant::cifar10, 3);
  EXPECT_EQ(three.targets.to_vector<int64_t>(), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(three.inputs.shape(), (Shape{3, 3, 32, 32}));
  EXPECT_EQ(data::read_cifar_binary({a, b}, data::CifarVariant::cifar10, 1).size(), 1);
}

TEST_F(CifarFiles, ReadsCifar100FineAndCoarseLabels) {
  const std::string path = write("train.bin", {{19, 99}, {4, 0}});
  const data::Dataset fine = data::read_cifar_binary({path}, data::CifarVariant::cifar100_fine);
  EXPECT_EQ(fine.targets.to_vector<int64_t>(), (std::vector<int64_t>{99, 0}));
  EXPECT_EQ(fine.num_classes, 100);
  const data::Dataset coarse = data::read_cifar_binary({path}, data::CifarVariant::cifar100_coarse);
  EXPECT_EQ(coarse.targets.to_vector<int64_t>(), (std::vector<int64_t>{19, 4}));
  EXPECT_EQ(coarse.num_classes, 20);
  EXPECT_EQ(coarse.inputs.to_vector<float>()[3072 + 10], pixel(1, 10));
}

TEST_F(CifarFiles, TruncatedFileNamesItsSizeAndTheRecordSize) {
  const std::string path = write("cut.bin", {{1}, {2}}, 100);
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_cifar_binary({path}, data::CifarVariant::cifar10); },
      {path, "6046 bytes", "3073-byte record", "truncated or not a CIFAR-10 batch"}));
  // A CIFAR-10 file read as CIFAR-100 does not fit the 3074-byte record either.
  const std::string ten = write("ten.bin", {{1}, {2}});
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_cifar_binary({ten}, data::CifarVariant::cifar100_fine); },
      {"3074-byte record", "CIFAR-100"}));
  const std::string empty_file = write("empty.bin", {});
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_cifar_binary({empty_file}, data::CifarVariant::cifar10); }, {"0 bytes"}));
}

TEST_F(CifarFiles, LabelOutOfRangeNamesTheRecord) {
  const std::string path = write("bad.bin", {{1}, {2}, {10}});
  EXPECT_TRUE(
      throws_error_containing([&] { data::read_cifar_binary({path}, data::CifarVariant::cifar10); },
                              {"record 2", path, "label 10", "[0, 10)"}));
  const std::string coarse = write("coarse.bin", {{20, 5}});
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_cifar_binary({coarse}, data::CifarVariant::cifar100_coarse); },
      {"record 0", "label 20", "[0, 20)"}));
  // The fine label of the same record is fine.
  EXPECT_EQ(data::read_cifar_binary({coarse}, data::CifarVariant::cifar100_fine).size(), 1);
}

TEST_F(CifarFiles, MissingFileOrNoFilesIsAClearError) {
  const std::string missing = (dir_ / "missing.bin").string();
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_cifar_binary({missing}, data::CifarVariant::cifar10); }, {missing}));
  EXPECT_TRUE(throws_error_containing(
      [] { data::read_cifar_binary({}, data::CifarVariant::cifar10); }, {"no files"}));
}
