// safetensors writing, and turning a validated header (safetensors_header.cpp) into tensors.
//
// Byte order: safetensors is little-endian, and so is every machine nabla builds for (x86-64,
// little-endian AArch64), so tensor bytes are copied as they are, never swapped.
#include "nabla/io/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <bit>
#include <cmath>
#include <cstring>
#include <set>

#include "io/safetensors_header.hpp"
#include "nabla/error.hpp"
#include "nabla/io/atomic_file.hpp"

static_assert(std::endian::native == std::endian::little,
              "safetensors I/O copies little-endian bytes as they are");

namespace nabla::io {

namespace {

const char* safetensors_dtype(DType dtype) {
  switch (dtype) {
    case DType::f32: return "F32";
    case DType::f64: return "F64";
    case DType::i64: return "I64";
    case DType::b8: return "BOOL";
  }
  NABLA_FAIL("save_safetensors: unknown dtype ", static_cast<int>(dtype));
}

// `text` as a JSON string literal; names and metadata must be valid UTF-8, as JSON requires.
std::string json_string(const std::string& text, const char* role) {
  try {
    return nlohmann::json(text).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
  } catch (const nlohmann::json::exception&) {
    NABLA_FAIL("save_safetensors: ", role, " '", text, "' is not valid UTF-8; JSON headers ",
               "hold UTF-8 text only");
  }
}

// The 8-byte length, the padded JSON header, and the tensors (contiguous, on the CPU) whose
// bytes follow in this order.
struct Layout {
  std::string prefix;
  std::vector<Tensor> blocks;
};

Layout layout(const nn::NamedTensors& tensors, const Metadata& metadata) {
  Layout out;
  std::set<std::string> names;
  std::string json = "{";
  if (!metadata.empty()) {
    json += "\"__metadata__\":{";
    // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "literal" + std::string.
    for (auto it = metadata.begin(); it != metadata.end(); ++it) {
      if (it != metadata.begin()) json += ',';
      json.append(json_string(it->first, "metadata key")).append(":");
      json.append(json_string(it->second, "metadata value"));
    }
    json += "}";
  }
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    NABLA_CHECK(name != "__metadata__", "save_safetensors: a tensor cannot be named "
                "'__metadata__' (the format reserves it); rename it");
    NABLA_CHECK(names.insert(name).second, "save_safetensors: tensor name '", name,
                "' appears twice; names must be unique");
    NABLA_CHECK(tensor.defined(), "save_safetensors: tensor '", name, "' is undefined");
    Tensor block = tensor.detach();
    if (block.device() != Device(Device::CPU)) block = block.to(Device::CPU);
    block = block.contiguous();
    const uint64_t bytes = static_cast<uint64_t>(block.numel()) * dtype_size(block.dtype());
    std::string shape = "[";
    for (size_t d = 0; d < block.shape().size(); ++d) {
      if (d > 0) shape += ',';
      shape.append(std::to_string(block.shape()[d]));
    }
    if (json.size() > 1) json += ',';
    json.append(json_string(name, "tensor name")).append(":{\"dtype\":\"");
    json.append(safetensors_dtype(block.dtype())).append("\",\"shape\":").append(shape);
    json.append("],\"data_offsets\":[").append(std::to_string(offset)).append(",");
    json.append(std::to_string(offset + bytes)).append("]}");
    offset += bytes;
    out.blocks.push_back(std::move(block));
  }
  json += "}";
  // Spaces up to a multiple of 8, as the reference writers pad, so the data starts aligned.
  json.append((8 - json.size() % 8) % 8, ' ');
  const uint64_t length = json.size();
  out.prefix.resize(8);
  std::memcpy(out.prefix.data(), &length, 8);
  out.prefix += json;
  return out;
}

void write_layout(std::ostream& out, const Layout& layout) {
  out.write(layout.prefix.data(), static_cast<std::streamsize>(layout.prefix.size()));
  for (const Tensor& block : layout.blocks) {
    const size_t bytes = static_cast<size_t>(block.numel()) * dtype_size(block.dtype());
    if (bytes > 0)
      out.write(static_cast<const char*>(block.data_ptr()), static_cast<std::streamsize>(bytes));
  }
}

// IEEE binary16 to binary32; exact for every value, including subnormals, infinities and NaNs.
float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu, mantissa = h & 0x3FFu;
  uint32_t bits;
  if (exponent == 0x1F) {
    bits = sign | 0x7F800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);  // rebias 15 -> 127
  } else {  // zero or subnormal: mantissa · 2^-24, a normal float
    bits = sign | std::bit_cast<uint32_t>(std::ldexp(static_cast<float>(mantissa), -24));
  }
  return std::bit_cast<float>(bits);
}

float bfloat16_to_float(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

// Reads `count` little-endian values of Src from `src` and stores convert(value) in dst.
template <class Src, class Dst, class Convert>
void decode(const char* src, int64_t count, Dst* dst, Convert convert) {
  for (int64_t i = 0; i < count; ++i) {
    Src value;
    std::memcpy(&value, src + static_cast<size_t>(i) * sizeof(Src), sizeof(Src));
    dst[i] = convert(value);
  }
}

Tensor make_tensor(const detail::TensorEntry& e, const char* src) {
  const std::string& t = e.dtype;
  const DType dtype = t == "F64"                                     ? DType::f64
                      : (t == "F32" || t == "F16" || t == "BF16")    ? DType::f32
                      : t == "BOOL"                                  ? DType::b8
                                                                     : DType::i64;
  Tensor out = empty(e.shape, {.dtype = dtype});
  if (e.numel == 0) return out;
  const auto widen = [](auto v) { return static_cast<int64_t>(v); };
  if (t == "F64" || t == "F32" || t == "I64")
    std::memcpy(out.data_ptr(), src, static_cast<size_t>(e.numel) * e.element_size);
  else if (t == "BOOL")  // any non-zero byte is true; copying it raw would make invalid bools
    decode<uint8_t>(src, e.numel, out.data<bool>(), [](uint8_t v) { return v != 0; });
  else if (t == "F16")
    decode<uint16_t>(src, e.numel, out.data<float>(), half_to_float);
  else if (t == "BF16")
    decode<uint16_t>(src, e.numel, out.data<float>(), bfloat16_to_float);
  else if (t == "I32")
    decode<int32_t>(src, e.numel, out.data<int64_t>(), widen);
  else if (t == "I16")
    decode<int16_t>(src, e.numel, out.data<int64_t>(), widen);
  else if (t == "I8")
    decode<int8_t>(src, e.numel, out.data<int64_t>(), widen);
  else if (t == "U8")
    decode<uint8_t>(src, e.numel, out.data<int64_t>(), widen);
  else
    NABLA_FAIL("parse_safetensors: no decoder for dtype ", t);  // the header check lists them
  return out;
}

}  // namespace

std::string serialize_safetensors(const nn::NamedTensors& tensors, const Metadata& metadata) {
  const Layout bytes = layout(tensors, metadata);
  std::string out = bytes.prefix;
  for (const Tensor& block : bytes.blocks)
    if (block.numel() > 0)
      out.append(static_cast<const char*>(block.data_ptr()),
                 static_cast<size_t>(block.numel()) * dtype_size(block.dtype()));
  return out;
}

SafetensorsContents parse_safetensors(const std::string& bytes, const std::string& source) {
  const detail::ParsedHeader header = detail::parse_header(bytes, source);
  SafetensorsContents out;
  out.metadata = header.metadata;
  out.tensors.reserve(header.tensors.size());
  for (const detail::TensorEntry& e : header.tensors)
    out.tensors.emplace_back(e.name, make_tensor(e, bytes.data() + header.data_start + e.begin));
  return out;
}

void save_safetensors(const std::string& path, const nn::NamedTensors& tensors,
                      const Metadata& metadata) {
  const Layout bytes = layout(tensors, metadata);  // checked before the file is touched
  write_file_atomically(path, [&](std::ostream& out) { write_layout(out, bytes); },
                        "save_safetensors");
}

SafetensorsContents load_safetensors(const std::string& path) {
  return parse_safetensors(read_file(path, "load_safetensors"), path);
}

}  // namespace nabla::io
