// .npy reading and writing. The header is a Python dict literal with three known keys, parsed
// by a small recursive reader here: xtensor's xnpy (the Debian library that reads .npy)
// allocates whatever size a header claims and does not check that the data was all there,
// which a hostile or truncated file turns into an allocation failure or uninitialised memory.
// This reader checks the file's size against the header before it allocates anything.
#include "nabla/data/npy.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "nabla/error.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/ops.hpp"

namespace nabla::data {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr uint64_t kMaxHeader = uint64_t{1} << 20;
constexpr int64_t kMaxElements = int64_t{1} << 40;

struct Header {
  std::string descr;
  bool fortran_order = false;
  Shape shape;
  bool has_descr = false, has_order = false, has_shape = false;
};

// Reads the header dict. Each method throws an Error naming the file and what it expected.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path) : text_(text), path_(path) {}

  Header parse() {
    Header header;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string();
      expect(':');
      skip_space();
      if (key == "descr") {
        fail_if(peek() == '[', "a structured dtype (a list of fields); save a plain numeric array");
        header.descr = string();
        header.has_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = boolean();
        header.has_order = true;
      } else if (key == "shape") {
        header.shape = tuple();
        header.has_shape = true;
      } else {
        fail_if(true, "an unknown header key '" + key + "' (descr, fortran_order, shape expected)");
      }
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      expect('}');
      --at_;  // the loop's check consumes it
    }
    ++at_;
    for (; at_ < text_.size(); ++at_)
      fail_if(text_[at_] != ' ' && text_[at_] != '\n', "text after the header's closing brace");
    fail_if(!header.has_descr || !header.has_order || !header.has_shape,
            "a header without all of 'descr', 'fortran_order' and 'shape'");
    return header;
  }

 private:
  char peek() const { return at_ < text_.size() ? text_[at_] : '\0'; }
  void skip_space() {
    while (at_ < text_.size() && (text_[at_] == ' ' || text_[at_] == '\n' || text_[at_] == '\t')) ++at_;
  }
  void fail_if(bool bad, const std::string& what) const {
    NABLA_CHECK(!bad, "read_npy: '", path_, "' has ", what, " (header byte ", at_,
                "); is it a file numpy.save wrote?");
  }
  void expect(char c) {
    skip_space();
    fail_if(peek() != c, std::string("no '") + c + "' where the header needs one");
    ++at_;
  }
  std::string string() {
    const char quote = peek();
    fail_if(quote != '\'' && quote != '"', "no quoted string where the header needs one");
    const size_t end = text_.find(quote, at_ + 1);
    fail_if(end == std::string_view::npos, "an unterminated string");
    const std::string_view value = text_.substr(at_ + 1, end - at_ - 1);
    fail_if(value.find('\\') != std::string_view::npos, "an escape in a header string");
    at_ = end + 1;
    return std::string(value);
  }
  bool boolean() {
    for (const auto& [word, value] : {std::pair{std::string_view("True"), true}, {"False", false}})
      if (text_.substr(at_, word.size()) == word) {
        at_ += word.size();
        return value;
      }
    fail_if(true, "a fortran_order that is neither True nor False");
    return false;
  }
  Shape tuple() {
    expect('(');
    Shape shape;
    while (true) {
      skip_space();
      if (peek() == ')') break;
      fail_if(peek() < '0' || peek() > '9', "a shape entry that is not a whole number");
      int64_t dim = 0;
      while (peek() >= '0' && peek() <= '9') {
        dim = dim * 10 + (peek() - '0');
        fail_if(dim > kMaxElements, "a dimension above 2^40");
        ++at_;
      }
      fail_if(shape.size() >= 32, "more than 32 dimensions");
      shape.push_back(dim);
      skip_space();
      if (peek() == ',') {
        ++at_;
        continue;
      }
      fail_if(peek() != ')', "a shape that is not a tuple of whole numbers");
    }
    ++at_;
    return shape;
  }

  std::string_view text_;
  const std::string& path_;
  size_t at_ = 0;
};

uint64_t little_endian(const unsigned char* bytes, int count) {
  uint64_t value = 0;
  for (int i = count - 1; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

// How the elements are stored: kind 'f', 'i', 'u' or 'b', bytes per element, byte order.
struct Element {
  char kind;
  int bytes;
  bool big_endian;
};

Element parse_descr(const std::string& descr, const std::string& path) {
  const bool known_order = descr.size() >= 3 && (descr[0] == '<' || descr[0] == '>' ||
                                                 descr[0] == '|' || descr[0] == '=');
  const std::string type = known_order ? descr.substr(1) : "";
  for (const char* ok : {"f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8", "b1"})
    if (type == ok)
      return {type[0], type[1] - '0',
              descr[0] == '>' || (descr[0] == '=' && std::endian::native == std::endian::big)};
  NABLA_FAIL("read_npy: '", path, "' holds dtype '", descr, "'; nabla reads float32, float64, "
             "integers and booleans (convert it first, e.g. array.astype(numpy.float32))");
}

// The element at `p` as T (float, double or int64_t), from its stored form.
template <class T>
T element(const unsigned char* p, const Element& e, const std::string& path) {
  std::array<unsigned char, 8> bytes{};
  for (int i = 0; i < e.bytes; ++i) bytes[i] = e.big_endian ? p[e.bytes - 1 - i] : p[i];
  const uint64_t bits = little_endian(bytes.data(), e.bytes);
  if (e.kind == 'f') {
    if (e.bytes == 4) {
      float f;
      std::memcpy(&f, bytes.data(), 4);
      return static_cast<T>(f);
    }
    double d;
    std::memcpy(&d, bytes.data(), 8);
    return static_cast<T>(d);
  }
  if (e.kind == 'u' || e.kind == 'b') {
    NABLA_CHECK(bits <= static_cast<uint64_t>(INT64_MAX), "read_npy: '", path, "' holds ", bits,
                ", above the largest int64 nabla can hold");
    return static_cast<T>(static_cast<int64_t>(bits));
  }
  const int shift = 64 - 8 * e.bytes;  // sign-extend the narrower integers
  return static_cast<T>(static_cast<int64_t>(bits << shift) >> shift);
}

template <class T>
void convert(const std::vector<unsigned char>& raw, const Element& e, T* out, int64_t count,
             const std::string& path) {
  for (int64_t i = 0; i < count; ++i)
    out[i] = element<T>(raw.data() + static_cast<size_t>(i) * static_cast<size_t>(e.bytes), e, path);
}

}  // namespace

Tensor read_npy(const std::string& path) {
  NABLA_CHECK(std::filesystem::is_regular_file(path), "read_npy: '", path,
              "' does not exist or is not a regular file");
  const uint64_t file_size = std::filesystem::file_size(path);
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good(), "read_npy: cannot open '", path, "'");
  std::array<unsigned char, 12> start{};
  in.read(reinterpret_cast<char*>(start.data()), 10);
  NABLA_CHECK(in.gcount() == 10 && std::string_view(reinterpret_cast<char*>(start.data()), 6) == kMagic,
              "read_npy: '", path, "' is not an .npy file (it does not start with \\x93NUMPY)");
  const int major = start[6];
  NABLA_CHECK(major >= 1 && major <= 3 && start[7] == 0, "read_npy: '", path, "' is .npy version ",
              major, ".", int(start[7]), "; nabla reads 1.0, 2.0 and 3.0");
  uint64_t prefix = 10, header_size = little_endian(start.data() + 8, 2);
  if (major >= 2) {
    in.read(reinterpret_cast<char*>(start.data() + 10), 2);
    NABLA_CHECK(in.gcount() == 2, "read_npy: '", path, "' ends inside its header length");
    prefix = 12;
    header_size = little_endian(start.data() + 8, 4);
  }
  NABLA_CHECK(header_size <= kMaxHeader && prefix + header_size <= file_size, "read_npy: '", path,
              "' declares a header of ", header_size, " bytes but the file has ", file_size);
  std::string text(header_size, '\0');
  in.read(text.data(), static_cast<std::streamsize>(header_size));
  const Header header = HeaderParser(text, path).parse();
  const Element e = parse_descr(header.descr, path);

  // The product of the non-zero dims stays below 2^40 (checked before each multiplication, so
  // it never overflows); a zero dim makes the array empty whatever the others are.
  int64_t nonzero = 1;
  bool empty_array = false;
  for (int64_t d : header.shape) {
    if (d == 0) {
      empty_array = true;
      continue;
    }
    NABLA_CHECK(nonzero <= kMaxElements / d, "read_npy: '", path, "' has shape ", header.shape,
                ", more than 2^40 elements");
    nonzero *= d;
  }
  const int64_t count = empty_array ? 0 : nonzero;
  const uint64_t data_bytes = static_cast<uint64_t>(count) * static_cast<uint64_t>(e.bytes);
  NABLA_CHECK(file_size - prefix - header_size == data_bytes, "read_npy: '", path, "' has ",
              file_size - prefix - header_size, " bytes of data but its shape ", header.shape,
              " of ", header.descr, " needs ", data_bytes, " (a truncated or damaged file)");
  std::vector<unsigned char> raw(data_bytes);
  in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(data_bytes));
  NABLA_CHECK(static_cast<uint64_t>(in.gcount()) == data_bytes, "read_npy: '", path,
              "' could not be read to its end");

  // Fortran order is C order of the reversed shape, transposed back.
  Shape stored = header.shape;
  if (header.fortran_order) std::reverse(stored.begin(), stored.end());
  Tensor out;
  if (e.kind == 'f') {
    out = empty(stored, {.dtype = e.bytes == 4 ? DType::f32 : DType::f64});
    if (e.bytes == 4) convert(raw, e, out.data<float>(), count, path);
    else convert(raw, e, out.data<double>(), count, path);
  } else {
    out = empty(stored, {.dtype = DType::i64});
    convert(raw, e, out.data<int64_t>(), count, path);
  }
  if (header.fortran_order && out.dim() > 1) {
    std::vector<int64_t> reversed(static_cast<size_t>(out.dim()));
    for (int64_t d = 0; d < out.dim(); ++d) reversed[static_cast<size_t>(d)] = out.dim() - 1 - d;
    out = out.permute(reversed).contiguous();
  }
  return out;
}

Tensor float_inputs(const Tensor& raw, const std::string& what) {
  if (is_floating(raw.dtype())) return raw.to(DType::f32);
  if (raw.numel() > 0) {
    const Tensor values = raw.to(DType::f64);  // integer min / max have no CPU kernel
    const double low = min(values).item(), high = max(values).item();
    NABLA_CHECK(low >= 0 && high <= 255, what, " holds integers in [", low, ", ", high,
                "]; integer inputs are read as 8-bit pixels (0-255); save other values as floats");
  }
  return raw.to(DType::f32) * (1.0 / 255.0);
}

void write_npy(const std::string& path, const Tensor& tensor) {
  NABLA_CHECK(tensor.defined(), "write_npy: the tensor is undefined");
  const DType dtype = tensor.dtype();
  NABLA_CHECK(dtype == DType::f32 || dtype == DType::f64 || dtype == DType::i64, "write_npy: ",
              dtype, " cannot be written; convert to f32, f64 or i64 first");
  const Tensor data = tensor.to(Device::CPU).contiguous();
  std::string shape = "(";  // Python's tuples: (), (3,), (3, 4)
  for (int64_t d = 0; d < data.dim(); ++d) shape += (d ? ", " : "") + std::to_string(data.size(d));
  shape += data.dim() == 1 ? ",)" : ")";
  std::string header = std::string("{'descr': '") +
                       (dtype == DType::f32 ? "<f4" : dtype == DType::f64 ? "<f8" : "<i8") +
                       "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t unpadded = kMagic.size() + 4 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string bytes(kMagic);
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xff);
  bytes += static_cast<char>(header.size() >> 8);
  bytes += header;
  bytes.append(static_cast<const char*>(data.data_ptr()),
               static_cast<size_t>(data.numel()) * dtype_size(dtype));
  io::write_file_atomically(path, bytes, "write_npy");
}

}  // namespace nabla::data
