// The validating half of the safetensors reader: the length prefix, the JSON header and every
// tensor's dtype, shape and byte range, checked against the file before any tensor is built.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "nabla/io/safetensors.hpp"
#include "nabla/shape.hpp"

namespace nabla::io::detail {

// safetensors refuses headers above 100 MB (the Rust reader's MAX_HEADER_SIZE); so do we, so
// that a hostile length cannot make us parse or allocate more than that.
inline constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// The header is at most three levels deep (object, tensor object, shape array); anything
// nested deeper than this is refused before it can cost memory or time.
inline constexpr size_t kMaxJsonDepth = 64;

// One tensor as the header declares it; begin and end are relative to data_start.
struct TensorEntry {
  std::string name;
  std::string dtype;  // the file's name: "F32", "BF16", ...
  size_t element_size = 0;
  Shape shape;
  int64_t numel = 0;
  uint64_t begin = 0;
  uint64_t end = 0;
};

struct ParsedHeader {
  std::vector<TensorEntry> tensors;  // by data offset; equal offsets keep header order
  Metadata metadata;
  size_t data_start = 0;  // 8 + header length
};

// Bytes per element of a safetensors dtype name this reader understands, 0 for any other.
size_t safetensors_element_size(const std::string& dtype);

// Validates `bytes` as a whole safetensors file; every failure is an Error naming `source`.
ParsedHeader parse_header(const std::string& bytes, const std::string& source);

}  // namespace nabla::io::detail
