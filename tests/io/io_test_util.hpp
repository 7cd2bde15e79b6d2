// Helpers the io tests share: a scratch directory removed afterwards, raw file bytes, and
// bitwise tensor comparison.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::testing {

// A fresh directory under the system temp dir, unique per process and per instance, removed
// with its contents when the test ends.
class ScratchDir {
 public:
  ScratchDir() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string test = info ? std::string(info->test_suite_name()) + "_" + info->name() : "x";
    std::replace(test.begin(), test.end(), '/', '_');  // parameterised names hold slashes
    dir_ = std::filesystem::temp_directory_path() /
           ("nabla_io_" + test + "_" + std::to_string(::getpid()) + "_" +
            std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  const std::filesystem::path& dir() const { return dir_; }
  // File names in the directory, sorted.
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir_))
      names.push_back(entry.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  std::filesystem::path dir_;
};

inline std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Same dtype, shape and bytes (so -0.0 differs from 0.0 and NaNs compare by bit pattern).
inline ::testing::AssertionResult bitwise_equal(const Tensor& actual, const Tensor& expected) {
  if (actual.dtype() != expected.dtype())
    return ::testing::AssertionFailure()
           << "dtype " << actual.dtype() << " != " << expected.dtype();
  if (actual.shape() != expected.shape()) {
    std::ostringstream s;  // Shape's operator<< lives in nabla, out of gtest's reach
    s << "shape " << actual.shape() << " != " << expected.shape();
    return ::testing::AssertionFailure() << s.str();
  }
  const Tensor a = actual.contiguous(), e = expected.contiguous();
  const size_t bytes = static_cast<size_t>(a.numel()) * dtype_size(a.dtype());
  if (bytes > 0 && std::memcmp(a.data_ptr(), e.data_ptr(), bytes) != 0)
    return ::testing::AssertionFailure() << "values differ: " << actual << " vs " << expected;
  return ::testing::AssertionSuccess();
}

// The 8-byte little-endian length, `header` and `data`: a safetensors file built by hand.
inline std::string safetensors_bytes(const std::string& header, const std::string& data = "") {
  std::string out(8, '\0');
  const uint64_t length = header.size();
  std::memcpy(out.data(), &length, 8);
  return out + header + data;
}

}  // namespace nabla::testing
