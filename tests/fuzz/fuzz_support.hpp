// What every fuzz target shares (docs/fuzzing.md): the rule that a nabla::Error is the one
// acceptable answer to bad bytes, a scratch file for the readers that take a path, and a check
// that stops the fuzzer when an invariant of a successful read does not hold.
//
//   extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
//     static nabla::fuzz::ScratchFile file("idx");
//     return nabla::fuzz::expect_errors_only([&] { data::read_idx(file.write(data, size)); });
//   }
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include "nabla/data/dataset.hpp"
#include "nabla/error.hpp"
#include "nabla/tensor.hpp"

namespace nabla::fuzz {

// A file in the temporary directory ($TMPDIR or /tmp) named after the target and this process,
// so that parallel fuzzers (-jobs, -workers) never share one; rewritten for each input and
// removed when the process exits normally (a crash leaves it, one file per process).
class ScratchFile {
 public:
  explicit ScratchFile(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               ("nabla-fuzz-" + std::to_string(::getpid()) + "-" + name))
                  .string()) {}
  ~ScratchFile() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  ScratchFile(const ScratchFile&) = delete;
  ScratchFile& operator=(const ScratchFile&) = delete;

  // Replaces the file's contents with the input; returns its path.
  const std::string& write(const uint8_t* data, size_t size) {
    std::ofstream out(path_, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.close();
    if (!out) {
      std::fprintf(stderr, "fuzz: cannot write the scratch file %s\n", path_.c_str());
      std::abort();
    }
    return path_;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Runs `body` on one input. A nabla::Error is the expected outcome of bad input and is
// swallowed; any other exception escapes, terminates the process and so is reported by
// libFuzzer as a crash, as are sanitizer reports and the failed checks below.
template <class Body>
int expect_errors_only(Body&& body) {
  try {
    body();
  } catch (const Error&) {
  }
  return 0;
}

// An invariant of a successful read that does not hold: print what and abort (a finding).
[[noreturn]] inline void invariant_failed(const std::string& what) {
  std::fprintf(stderr, "fuzz: invariant violated: %s\n", what.c_str());
  std::abort();
}
#define NABLA_FUZZ_CHECK(cond, ...) \
  do {                              \
    if (!(cond)) ::nabla::fuzz::invariant_failed(::nabla::detail::concat(__VA_ARGS__)); \
  } while (0)

// Every element of a host tensor, read (so ASan sees any byte the reader left out of bounds).
inline uint64_t touch_bytes(const Tensor& tensor) {
  const Tensor dense = tensor.contiguous();
  const auto* bytes = static_cast<const unsigned char*>(dense.data_ptr());
  uint64_t sum = 0;
  const size_t count = static_cast<size_t>(dense.numel()) * dtype_size(dense.dtype());
  if (count == 0) return 0;
  for (size_t i = 0; i < count; ++i) sum += bytes[i];
  return sum;
}

// Whether two tensors have the same dtype, shape and bytes (NaNs with equal bits are equal).
inline bool same_tensor(const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype() || a.shape() != b.shape()) return false;
  const size_t count = static_cast<size_t>(a.numel()) * dtype_size(a.dtype());
  if (count == 0) return true;
  const Tensor x = a.contiguous(), y = b.contiguous();
  return std::memcmp(x.data_ptr(), y.data_ptr(), count) == 0;
}

// `body`'s result, for a step that must succeed because an earlier one did (reading back what
// was just written, a first row of a file that read whole): an Error there is a finding.
template <class Body>
auto must_succeed(const char* what, Body&& body) {
  try {
    return body();
  } catch (const Error& error) {
    invariant_failed(std::string(what) + " threw: " + error.what());
  }
}

// The promises of data/dataset.hpp for a dataset a reader returned: float32 inputs [N, ...],
// int64 targets [N] in [0, num_classes), no class names or one per class.
inline void check_dataset(const data::Dataset& set, const char* reader) {
  NABLA_FUZZ_CHECK(set.inputs.defined() && set.targets.defined(), reader, ": undefined tensors");
  if (set.task != data::Task::classification) {  // float target rows [N, num_classes]
    NABLA_FUZZ_CHECK(set.inputs.dtype() == DType::f32 && set.targets.dtype() == DType::f32 &&
                         set.targets.dim() == 2 && set.targets.size(0) == set.inputs.size(0) &&
                         set.targets.size(1) == set.num_classes,
                     reader, ": inputs ", set.inputs.shape(), ", targets ", set.targets.shape(),
                     " ", set.targets.dtype(), " for ", set.num_classes, " outputs");
    touch_bytes(set.inputs);
    const Tensor targets = set.targets.contiguous();
    for (int64_t i = 0; i < targets.numel(); ++i) {
      const float v = targets.data<float>()[i];
      NABLA_FUZZ_CHECK(std::isfinite(v) && (set.task != data::Task::multilabel || v == 0 || v == 1),
                       reader, ": target ", v, " at ", i, " for a ", data::task_name(set.task), " set");
    }
    return;
  }
  NABLA_FUZZ_CHECK(set.inputs.dtype() == DType::f32 && set.targets.dtype() == DType::i64,
                   reader, ": inputs ", set.inputs.dtype(), ", targets ", set.targets.dtype());
  NABLA_FUZZ_CHECK(set.inputs.dim() >= 1 && set.targets.dim() == 1 &&
                       set.inputs.size(0) == set.targets.size(0),
                   reader, ": inputs ", set.inputs.shape(), ", targets ", set.targets.shape());
  NABLA_FUZZ_CHECK(set.class_names.empty() ||
                       static_cast<int64_t>(set.class_names.size()) == set.num_classes,
                   reader, ": ", set.class_names.size(), " names for ", set.num_classes, " classes");
  touch_bytes(set.inputs);
  const Tensor targets = set.targets.contiguous();
  const int64_t* target = targets.data<int64_t>();
  for (int64_t i = 0; i < targets.numel(); ++i)
    NABLA_FUZZ_CHECK(target[i] >= 0 && target[i] < set.num_classes, reader, ": target ",
                     target[i], " of row ", i, " outside [0, ", set.num_classes, ")");
}

}  // namespace nabla::fuzz
