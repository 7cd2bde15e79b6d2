#include "io/safetensors_header.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>

#include "nabla/error.hpp"

namespace nabla::io::detail {

namespace {

using nlohmann::json;

// What a corrupt file's error ends with: there is nothing to fix in the reader.
constexpr const char* kCorruptHint =
    "; the file is corrupt or truncated, or was not written by a safetensors writer";

// Builds the header's JSON like nlohmann's own DOM parser, but refuses what that parser
// accepts silently: a repeated key (it would keep the last value) and nesting deeper than
// kMaxJsonDepth. nlohmann's SAX driver is iterative, so a depth bomb costs no stack either.
// Keys of the top-level object are recorded in header order, which std::map-backed json loses.
class StrictJsonBuilder {
 public:
  json root;
  std::vector<std::string> top_level_keys;
  std::string error;  // set when the parse stopped; the caller adds the file name

  bool null() { return add(nullptr); }
  bool boolean(bool v) { return add(v); }
  bool number_integer(json::number_integer_t v) { return add(v); }
  bool number_unsigned(json::number_unsigned_t v) { return add(v); }
  bool number_float(json::number_float_t v, const json::string_t&) { return add(v); }
  bool string(json::string_t& v) { return add(std::move(v)); }
  bool binary(json::binary_t&) { return fail("binary values are not JSON"); }
  bool start_object(std::size_t) { return open(json::object()); }
  bool start_array(std::size_t) { return open(json::array()); }
  bool end_object() { return close(); }
  bool end_array() { return close(); }
  bool key(json::string_t& k) {
    if (stack_.back()->contains(k))
      return fail("duplicate key \"" + k + "\" (it appears twice in one object)");
    if (stack_.size() == 1) top_level_keys.push_back(k);
    key_ = std::move(k);
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    return fail(std::string("invalid JSON: ") + e.what());
  }

 private:
  bool fail(std::string message) {
    if (error.empty()) error = std::move(message);
    return false;
  }
  // Places `value` in the innermost open container (or as the root) and returns where it went.
  json* place(json value) {
    if (stack_.empty()) {
      root = std::move(value);
      return &root;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }
  bool add(json value) {
    place(std::move(value));
    return true;
  }
  bool open(json container) {
    if (stack_.size() >= kMaxJsonDepth)
      return fail("JSON nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
    stack_.push_back(place(std::move(container)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  std::vector<json*> stack_;  // the open containers, innermost last
  std::string key_;
};

// Whether `v` is a non-negative JSON integer (read into `out`); negative integers, fractions
// and non-numbers are not.
bool as_count(const json& v, uint64_t& out) {
  if (v.is_number_unsigned()) {
    out = v.get<uint64_t>();
    return true;
  }
  return false;
}

class HeaderChecker {
 public:
  HeaderChecker(const std::string& source, uint64_t data_size)
      : where_("safetensors file '" + source + "'"), data_size_(data_size) {}

  TensorEntry entry(const std::string& name, const json& info) const {
    const std::string tensor = where_ + ": tensor '" + name + "'";
    NABLA_CHECK(info.is_object(), tensor, ": expected an object with dtype, shape and "
                "data_offsets, got JSON ", info.type_name(), kCorruptHint);
    for (const char* field : {"dtype", "shape", "data_offsets"})
      NABLA_CHECK(info.contains(field), tensor, ": missing \"", field, "\"", kCorruptHint);
    for (const auto& [field, value] : info.items())
      NABLA_CHECK(field == "dtype" || field == "shape" || field == "data_offsets", tensor,
                  ": unexpected field \"", field, "\" (only dtype, shape and data_offsets "
                  "belong there)", kCorruptHint);
    TensorEntry e;
    e.name = name;
    NABLA_CHECK(info["dtype"].is_string(), tensor, ": dtype must be a string, got ",
                info["dtype"].dump(), kCorruptHint);
    e.dtype = info["dtype"].get<std::string>();
    e.element_size = safetensors_element_size(e.dtype);
    NABLA_CHECK(e.element_size != 0, tensor, ": unknown dtype \"", e.dtype, "\"; nabla "
                "reads F64, F32, F16, BF16, I64, I32, I16, I8, U8 and BOOL (convert the tensor "
                "before saving)");
    check_shape(tensor, info["shape"], e);
    check_offsets(tensor, info["data_offsets"], e);
    return e;
  }

  Metadata metadata(const json& value) const {
    NABLA_CHECK(value.is_object(), where_, ": __metadata__ must be an object of strings, got "
                "JSON ", value.type_name(), kCorruptHint);
    Metadata out;
    for (const auto& [key, text] : value.items()) {
      NABLA_CHECK(text.is_string(), where_, ": __metadata__ value of \"", key,
                  "\" must be a string, got ", text.dump(), kCorruptHint);
      out[key] = text.get<std::string>();
    }
    return out;
  }

  // safetensors requires the byte ranges to tile the data section exactly: sorted, each starts
  // where the previous ended, and the last ends at the end of the file.
  void check_tiling(const std::vector<TensorEntry>& sorted) const {
    uint64_t cursor = 0;
    const TensorEntry* previous = nullptr;
    for (const TensorEntry& e : sorted) {
      NABLA_CHECK(e.begin >= cursor, where_, ": tensor '", e.name, "' (bytes [", e.begin, ", ",
                  e.end, ")) overlaps tensor '", previous ? previous->name : "", "' (bytes [",
                  previous ? previous->begin : 0, ", ", cursor, "))", kCorruptHint);
      NABLA_CHECK(e.begin == cursor, where_, ": bytes [", cursor, ", ", e.begin,
                  ") of the data section belong to no tensor (a gap before tensor '", e.name,
                  "')", kCorruptHint);
      cursor = e.end;
      previous = &e;
    }
    NABLA_CHECK(cursor == data_size_, where_, ": bytes [", cursor, ", ", data_size_,
                ") at the end of the data section belong to no tensor", kCorruptHint);
  }

 private:
  void check_shape(const std::string& tensor, const json& shape, TensorEntry& e) const {
    NABLA_CHECK(shape.is_array(), tensor, ": shape must be an array of sizes, got ",
                shape.dump(), kCorruptHint);
    bool has_zero = false;
    for (const json& dim : shape) {
      uint64_t size = 0;
      NABLA_CHECK(as_count(dim, size) && size <= uint64_t{std::numeric_limits<int64_t>::max()},
                  tensor, ": shape ", shape.dump(), " has entry ", dim.dump(),
                  ", not a non-negative 64-bit integer", kCorruptHint);
      e.shape.push_back(static_cast<int64_t>(size));
      has_zero = has_zero || size == 0;
    }
    // The product of the non-zero sizes must fit in int64 even when a zero makes the tensor
    // empty: strides are such products, and computing them must not overflow either.
    int64_t product = 1;
    for (int64_t size : e.shape) {
      if (size == 0) continue;
      NABLA_CHECK(!__builtin_mul_overflow(product, size, &product), tensor, ": shape ",
                  e.shape, " has more elements than int64 can count (the product overflows)",
                  kCorruptHint);
    }
    e.numel = has_zero ? 0 : product;
    const uint64_t max_elements = data_size_ / e.element_size;
    NABLA_CHECK(static_cast<uint64_t>(e.numel) <= max_elements, tensor, ": shape ", e.shape,
                " needs ", e.numel, " elements of ", e.element_size, " bytes, more than the ",
                data_size_, "-byte data section holds", kCorruptHint);
  }

  void check_offsets(const std::string& tensor, const json& offsets, TensorEntry& e) const {
    NABLA_CHECK(offsets.is_array() && offsets.size() == 2 && as_count(offsets[0], e.begin) &&
                    as_count(offsets[1], e.end),
                tensor, ": data_offsets must be two non-negative integers [begin, end], got ",
                offsets.dump(), kCorruptHint);
    NABLA_CHECK(e.begin <= e.end, tensor, ": data_offsets [", e.begin, ", ", e.end,
                "] are reversed (begin > end)", kCorruptHint);
    NABLA_CHECK(e.end <= data_size_, tensor, ": data_offsets [", e.begin, ", ", e.end,
                "] end beyond the data section of ", data_size_, " bytes", kCorruptHint);
    const uint64_t expected = static_cast<uint64_t>(e.numel) * e.element_size;  // <= data_size_
    NABLA_CHECK(e.end - e.begin == expected, tensor, ": data_offsets [", e.begin, ", ", e.end,
                "] span ", e.end - e.begin, " bytes but shape ", e.shape, " of ", e.dtype,
                " needs ", e.numel, " x ", e.element_size, " = ", expected, " bytes",
                kCorruptHint);
  }

  std::string where_;
  uint64_t data_size_;
};

// The header's JSON, parsed strictly; an Error names the file and what is wrong.
StrictJsonBuilder parse_json(const std::string& bytes, size_t length, const std::string& where) {
  StrictJsonBuilder builder;
  const char* begin = bytes.data() + 8;
  const bool ok = json::sax_parse(begin, begin + length, &builder);
  NABLA_CHECK(ok && builder.error.empty(), where, ": the ", length, "-byte header is not valid: ",
              builder.error.empty() ? "invalid JSON" : builder.error, kCorruptHint);
  NABLA_CHECK(builder.root.is_object(), where, ": the header must be a JSON object, got ",
              builder.root.type_name(), kCorruptHint);
  return builder;
}

}  // namespace

size_t safetensors_element_size(const std::string& dtype) {
  if (dtype == "F64" || dtype == "I64") return 8;
  if (dtype == "F32" || dtype == "I32") return 4;
  if (dtype == "F16" || dtype == "BF16" || dtype == "I16") return 2;
  if (dtype == "I8" || dtype == "U8" || dtype == "BOOL") return 1;
  return 0;
}

ParsedHeader parse_header(const std::string& bytes, const std::string& source) {
  const std::string where = "safetensors file '" + source + "'";
  NABLA_CHECK(bytes.size() >= 8, where, ": only ", bytes.size(), " bytes, fewer than the 8 of "
              "the header length", kCorruptHint);
  uint64_t length = 0;
  std::memcpy(&length, bytes.data(), 8);  // little-endian on every platform nabla builds for
  NABLA_CHECK(length != 0, where, ": header length is 0; a safetensors header holds at least "
              "\"{}\"", kCorruptHint);
  // bytes.size() >= 8 here, so the subtraction cannot wrap and no sum can overflow.
  const uint64_t after_length = bytes.size() - 8;
  NABLA_CHECK(length <= after_length, where, ": header length ", length, " exceeds the ",
              after_length, " bytes that follow it", kCorruptHint);
  NABLA_CHECK(length <= kMaxHeaderBytes, where, ": header length ", length, " exceeds the ",
              kMaxHeaderBytes, "-byte limit of safetensors", kCorruptHint);

  // nlohmann's lexer takes a NUL byte for the end of the input and would ignore what follows;
  // JSON text never holds one, so refuse it first.
  const size_t nul = std::string_view(bytes.data() + 8, static_cast<size_t>(length)).find('\0');
  NABLA_CHECK(nul == std::string_view::npos, where, ": the header holds a NUL byte at byte ",
              8 + nul, ", which JSON text cannot contain", kCorruptHint);
  const StrictJsonBuilder json_header = parse_json(bytes, static_cast<size_t>(length), where);
  ParsedHeader out;
  out.data_start = 8 + static_cast<size_t>(length);
  const HeaderChecker checker(source, after_length - length);
  for (const std::string& name : json_header.top_level_keys) {
    const json& value = json_header.root.at(name);
    if (name == "__metadata__")
      out.metadata = checker.metadata(value);
    else
      out.tensors.push_back(checker.entry(name, value));
  }
  // stable_sort keeps header order among equal ranges (empty tensors at one offset).
  std::stable_sort(out.tensors.begin(), out.tensors.end(),
                   [](const TensorEntry& a, const TensorEntry& b) {
                     return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
                   });
  checker.check_tiling(out.tensors);
  return out;
}

}  // namespace nabla::io::detail
