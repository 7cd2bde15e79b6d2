// The safetensors reader against hostile files: every malformed length, header, dtype, shape
// and offset gives a nabla::Error naming the problem, never a crash, a hang or a huge
// allocation (the sanitizer build runs these too).
#include <cstring>

#include "io/io_test_util.hpp"
#include "nabla/io/safetensors.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

// parse_safetensors(bytes) must throw an Error containing every fragment and the source name.
::testing::AssertionResult rejects(const std::string& bytes, std::vector<std::string> fragments) {
  fragments.push_back("'hostile.safetensors'");
  return throws_error_containing([&] { io::parse_safetensors(bytes, "hostile.safetensors"); },
                                 fragments);
}

// A header of tensors given as JSON snippets, with `data_bytes` zero bytes of data.
std::string file_with(const std::string& header, size_t data_bytes) {
  return safetensors_bytes(header, std::string(data_bytes, '\0'));
}

std::string with_length(uint64_t length, const std::string& rest) {
  std::string out(8, '\0');
  std::memcpy(out.data(), &length, 8);
  return out + rest;
}

// A valid file: two tensors and metadata.
std::string small_valid_file() {
  return io::serialize_safetensors(
      {{"w", from_vector<float>({1, 2, 3, 4}, {2, 2})}, {"b", from_vector<int64_t>({5})}},
      {{"k", "v"}});
}

}  // namespace

TEST(HostileSafetensors, EveryTruncationFailsCleanly) {
  const std::string valid = small_valid_file();
  ASSERT_NO_THROW(io::parse_safetensors(valid, "hostile.safetensors"));
  for (size_t length = 0; length < valid.size(); ++length)
    EXPECT_TRUE(rejects(valid.substr(0, length), {})) << "prefix of " << length << " bytes";
  EXPECT_TRUE(rejects(valid + "x", {"bytes [24, 25)", "belong to no tensor"}));
}

TEST(HostileSafetensors, HeaderLengths) {
  EXPECT_TRUE(rejects("", {"only 0 bytes"}));
  EXPECT_TRUE(rejects("\x01\x02\x03", {"only 3 bytes"}));
  EXPECT_TRUE(rejects(with_length(0, "{}"), {"header length is 0"}));
  EXPECT_TRUE(rejects(with_length(3, "{}"), {"header length 3 exceeds the 2 bytes"}));
  for (uint64_t huge : {0xFFFFFFFFFFFFFFF8ull, 0xFFFFFFFFFFFFFFFFull, 0x8000000000000000ull,
                        0xFFFFFFFFull})
    EXPECT_TRUE(rejects(with_length(huge, "{}      "),
                        {"header length " + std::to_string(huge), "exceeds"}));
}

TEST(HostileSafetensors, JsonSyntaxAndShape) {
  EXPECT_TRUE(rejects(file_with("{not json}", 0), {"not valid", "invalid JSON"}));
  EXPECT_TRUE(rejects(file_with("{\"a\":{}", 0), {"invalid JSON"}));          // unterminated
  EXPECT_TRUE(rejects(file_with("{} trailing", 0), {"invalid JSON"}));
  EXPECT_TRUE(rejects(file_with(std::string("{\"\xff\":1}"), 0), {"invalid JSON"}));  // bad UTF-8
  EXPECT_TRUE(rejects(file_with(std::string("{}\0\0\0\0\0\0", 8), 0), {"NUL byte at byte 10"}));
  EXPECT_TRUE(rejects(file_with(std::string("{}\0 junk", 7), 0), {"NUL byte"}));
  EXPECT_TRUE(rejects(file_with("[1, 2]", 0), {"must be a JSON object", "array"}));
  EXPECT_TRUE(rejects(file_with("\"text\"", 0), {"must be a JSON object", "string"}));
  EXPECT_NO_THROW(io::parse_safetensors(file_with("{}", 0), "empty"));
}

TEST(HostileSafetensors, DepthBombs) {
  EXPECT_TRUE(rejects(file_with(std::string(100000, '['), 0), {"deeper than 64"}));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  EXPECT_TRUE(rejects(file_with(objects, 0), {"deeper than 64"}));
  EXPECT_TRUE(rejects(file_with("{\"__metadata__\":" + std::string(70, '[') +
                                    std::string(70, ']') + "}", 0),
                      {"deeper than 64"}));
}

TEST(HostileSafetensors, DuplicateKeys) {
  const std::string t = R"({"dtype":"F32","shape":[1],"data_offsets":[0,4]})";
  EXPECT_TRUE(rejects(file_with("{\"a\":" + t + ",\"a\":" + t + "}", 4),
                      {"duplicate key \"a\""}));
  EXPECT_TRUE(rejects(
      file_with(R"({"a":{"dtype":"F32","dtype":"F64","shape":[1],"data_offsets":[0,4]}})", 4),
      {"duplicate key \"dtype\""}));
  EXPECT_TRUE(rejects(file_with(R"({"__metadata__":{"k":"1","k":"2"}})", 0),
                      {"duplicate key \"k\""}));
}

TEST(HostileSafetensors, TensorEntries) {
  EXPECT_TRUE(rejects(file_with(R"({"a":5})", 0), {"tensor 'a'", "expected an object"}));
  EXPECT_TRUE(rejects(file_with(R"({"a":{"dtype":"F32","shape":[1]}})", 4),
                      {"tensor 'a'", "missing \"data_offsets\""}));
  EXPECT_TRUE(rejects(
      file_with(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"extra":1}})", 4),
      {"tensor 'a'", "unexpected field \"extra\""}));
  EXPECT_TRUE(rejects(file_with(R"({"a":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[0,1]}})", 1),
                      {"tensor 'a'", "unknown dtype \"F8_E4M3\""}));
  EXPECT_TRUE(rejects(file_with(R"({"a":{"dtype":7,"shape":[1],"data_offsets":[0,1]}})", 1),
                      {"tensor 'a'", "dtype must be a string"}));
}

TEST(HostileSafetensors, Shapes) {
  const auto entry = [](const std::string& shape, const std::string& offsets) {
    return R"({"a":{"dtype":"F32","shape":)" + shape + R"(,"data_offsets":)" + offsets + "}}";
  };
  for (const std::string bad : {"[-1]", "[1.5]", "[\"2\"]", "[null]", "[9223372036854775808]"})
    EXPECT_TRUE(rejects(file_with(entry(bad, "[0,4]"), 4), {"tensor 'a'", "has entry"})) << bad;
  EXPECT_TRUE(rejects(file_with(entry("3", "[0,4]"), 4), {"shape must be an array"}));
  EXPECT_TRUE(rejects(file_with(entry("[4294967296,4294967296,4]", "[0,4]"), 4),
                      {"tensor 'a'", "[4294967296, 4294967296, 4]", "overflows"}));
  // A zero makes the tensor empty, but the other sizes must still multiply within int64.
  EXPECT_TRUE(rejects(file_with(entry("[0,4611686018427387904,4]", "[0,0]"), 0), {"overflows"}));
  EXPECT_TRUE(rejects(file_with(entry("[1000]", "[0,8]"), 8),
                      {"tensor 'a'", "needs 1000 elements of 4 bytes", "8-byte data section"}));
  const io::SafetensorsContents empty =
      io::parse_safetensors(file_with(entry("[0,1099511627776]", "[0,0]"), 0), "ok");
  EXPECT_EQ(empty.tensors.at(0).second.shape(), (Shape{0, 1099511627776}));
}

TEST(HostileSafetensors, Offsets) {
  const auto entry = [](const std::string& offsets) {
    return R"({"a":{"dtype":"F32","shape":[2],"data_offsets":)" + offsets + "}}";
  };
  for (const std::string bad : {"[0]", "[0,8,8]", "[-8,0]", "[0.0,8]", "[\"0\",8]", "{}", "8"})
    EXPECT_TRUE(rejects(file_with(entry(bad), 8), {"tensor 'a'", "two non-negative integers"}))
        << bad;
  EXPECT_TRUE(rejects(file_with(entry("[8,0]"), 8), {"tensor 'a'", "[8, 0]", "reversed"}));
  EXPECT_TRUE(rejects(file_with(entry("[0,16]"), 8),
                      {"tensor 'a'", "[0, 16]", "beyond the data section of 8 bytes"}));
  EXPECT_TRUE(rejects(file_with(entry("[0,18446744073709551615]"), 8), {"beyond the data"}));
  EXPECT_TRUE(rejects(file_with(entry("[0,4]"), 8),
                      {"tensor 'a'", "span 4 bytes", "needs 2 x 4 = 8"}));
}

TEST(HostileSafetensors, RangesMustTileTheDataSection) {
  const auto two = [](const std::string& a, const std::string& b) {
    return R"({"a":{"dtype":"F32","shape":[2],"data_offsets":)" + a +
           R"(},"b":{"dtype":"F32","shape":[2],"data_offsets":)" + b + "}}";
  };
  EXPECT_TRUE(
      rejects(file_with(two("[0,8]", "[4,12]"), 12), {"tensor 'b'", "overlaps tensor 'a'"}));
  EXPECT_TRUE(rejects(file_with(two("[0,8]", "[0,8]"), 8), {"overlaps"}));
  EXPECT_TRUE(rejects(file_with(two("[0,8]", "[12,20]"), 20),
                      {"bytes [8, 12)", "belong to no tensor", "before tensor 'b'"}));
  EXPECT_TRUE(rejects(file_with(two("[4,12]", "[12,20]"), 20), {"bytes [0, 4)", "gap"}));
  EXPECT_TRUE(rejects(file_with(two("[0,8]", "[8,16]"), 24),
                      {"bytes [16, 24)", "end of the data section"}));
  // An empty tensor must sit on a boundary too.
  EXPECT_TRUE(rejects(
      file_with(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                R"("e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}})", 8),
      {"tensor 'e'", "overlaps tensor 'a'"}));
  EXPECT_NO_THROW(io::parse_safetensors(file_with(two("[8,16]", "[0,8]"), 16), "ok"));
}

TEST(HostileSafetensors, Metadata) {
  EXPECT_TRUE(rejects(file_with(R"({"__metadata__":[]})", 0), {"__metadata__ must be an object"}));
  EXPECT_TRUE(rejects(file_with(R"({"__metadata__":{"epoch":3}})", 0),
                      {"__metadata__ value of \"epoch\"", "must be a string"}));
}

// Every single-byte change of a valid file either still parses or throws nabla::Error.
TEST(HostileSafetensors, ByteFlipsNeverCrash) {
  const std::string valid = small_valid_file();
  for (size_t at = 0; at < valid.size(); ++at)
    for (const char c : {'\0', '\x7f', '\xff', '{', '}', '[', ']', '"', ',', ':', '0', '9', '-'}) {
      std::string bytes = valid;
      bytes[at] = c;
      try {
        io::parse_safetensors(bytes, "flipped");
      } catch (const Error&) {
      }
    }
}

TEST(HostileSafetensors, MissingFileIsNamed) {
  ScratchDir scratch;
  const std::string path = scratch.path("absent.safetensors");
  EXPECT_TRUE(throws_error_containing([&] { io::load_safetensors(path); },
                                      {"load_safetensors", path, "No such file"}));
}
