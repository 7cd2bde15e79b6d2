// safetensors (huggingface/safetensors): an 8-byte little-endian header length N, N bytes of
// JSON {"name": {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...,
// "__metadata__": {"key": "text"}}, then the tensor bytes, little-endian and row-major,
// offsets relative to the end of the header. PyTorch's safetensors.torch.save_file writes the
// same, so state dicts move both ways by name.
//
// The writer lays the tensors out contiguously in the order given (non-contiguous or CUDA
// tensors are copied first), writes the header keys in that order after "__metadata__" (present
// only when non-empty), compact, padded with spaces to a multiple of 8 bytes as the Rust and
// Python writers do, so the output is deterministic and the data starts aligned.
//
// The reader trusts nothing: header length (0, beyond the file, near 2^64, over the format's
// 100 MB), JSON syntax, duplicate keys, nesting deeper than 64, dtypes, shapes whose product
// overflows, offsets reversed, out of bounds, overlapping or disagreeing with shape x dtype size,
// bytes not covered by any tensor (the ranges must tile the data section, as the format
// requires), all give an Error naming the file, the tensor and the offending numbers.
// Byte order is little-endian throughout, the order of every machine nabla builds for.
//
//   io::save_safetensors("model.safetensors", model.state_dict(), {{"epoch", "3"}});
//   model.load_state_dict(io::load_safetensors("model.safetensors").tensors);
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <map>
#include <string>

#include "nabla/nn/module.hpp"

namespace nabla::io {

using Metadata = std::map<std::string, std::string>;

struct SafetensorsContents {
  nn::NamedTensors tensors;  // in file order of their data offsets
  Metadata metadata;
};

// F32, F64, I64 and BOOL tensors as nabla holds them; reading also converts F16, BF16, I32,
// I16, I8 and U8 to f32 / i64 (a PyTorch half-precision checkpoint loads), and any non-zero
// BOOL byte to true. Names must be unique, valid UTF-8 and not "__metadata__"; metadata is
// string to string. `source` names the bytes in errors (a path, "<memory>").
std::string serialize_safetensors(const nn::NamedTensors& tensors, const Metadata& metadata = {});
SafetensorsContents parse_safetensors(const std::string& bytes, const std::string& source);

// File versions; save writes atomically (atomic_file.hpp).
void save_safetensors(const std::string& path, const nn::NamedTensors& tensors,
                      const Metadata& metadata = {});
SafetensorsContents load_safetensors(const std::string& path);

}  // namespace nabla::io

#pragma GCC visibility pop
