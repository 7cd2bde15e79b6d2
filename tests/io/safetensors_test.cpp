// safetensors writing and reading (src/io/safetensors*.cpp): round trips of every dtype, the
// exact bytes of a tiny file, conversions of the dtypes nabla does not hold, and a file built by
// PyTorch (tools/golden/make_safetensors_fixture.py).
#include "nabla/io/safetensors.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>

#include "io/io_test_util.hpp"
#include "nabla/ops.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

std::vector<std::string> names_of(const nn::NamedTensors& tensors) {
  std::vector<std::string> names;
  for (const auto& entry : tensors) names.push_back(entry.first);
  return names;
}

void expect_same(const nn::NamedTensors& actual, const nn::NamedTensors& expected) {
  ASSERT_EQ(names_of(actual), names_of(expected));
  for (size_t i = 0; i < actual.size(); ++i)
    EXPECT_TRUE(bitwise_equal(actual[i].second, expected[i].second)) << actual[i].first;
}

// Every dtype nabla holds, 0-d and empty tensors among them, in no particular offset order.
nn::NamedTensors every_dtype() {
  manual_seed(3);
  return {
      {"weight", randn({2, 3})},
      {"empty_before", zeros({0, 3})},
      {"double", from_vector<double>({0.1, -1.0 / 3, std::numeric_limits<double>::infinity(),
                                      -0.0, 5e-324})},
      {"index", from_vector<int64_t>({0, -1, std::numeric_limits<int64_t>::max(),
                                      std::numeric_limits<int64_t>::min()})},
      {"mask", from_vector<bool>({true, false, false, true}, {2, 2})},
      {"scalar", scalar_tensor(2.5)},
      {"scalar_bool", from_vector<bool>({true}, {})},
      {"empty_i64", zeros({0}, {.dtype = DType::i64})},
      {"scalar_f64", scalar_tensor(-7.25, {.dtype = DType::f64})},
      {"empty_last", zeros({2, 0, 4}, {.dtype = DType::f64})},
  };
}

}  // namespace

TEST(Safetensors, RoundTripsEveryDtypeWithMetadata) {
  ScratchDir scratch;
  const std::string path = scratch.path("all.safetensors");
  const nn::NamedTensors tensors = every_dtype();
  const io::Metadata metadata = {{"format", "pt"}, {"note", "ünïcode \"quoted\"\n"}, {"", ""}};
  io::save_safetensors(path, tensors, metadata);
  const io::SafetensorsContents back = io::load_safetensors(path);
  expect_same(back.tensors, tensors);  // offsets follow the list, so the order comes back
  EXPECT_EQ(back.metadata, metadata);
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"all.safetensors"});

  const std::string bytes = io::serialize_safetensors(tensors, metadata);
  EXPECT_EQ(bytes, file_bytes(path));
  expect_same(io::parse_safetensors(bytes, "memory").tensors, tensors);
}

TEST(Safetensors, EmptyListAndNoMetadata) {
  const std::string bytes = io::serialize_safetensors({});
  EXPECT_EQ(bytes, safetensors_bytes("{}      "));
  const io::SafetensorsContents back = io::parse_safetensors(bytes, "memory");
  EXPECT_TRUE(back.tensors.empty());
  EXPECT_TRUE(back.metadata.empty());
}

TEST(Safetensors, NonContiguousTensorsAreSavedByValue) {
  const Tensor base = arange(12.0).reshape({3, 4});
  const nn::NamedTensors tensors = {{"transposed", base.t()},
                                    {"strided", base.slice(1, 0, 4, 2)},
                                    {"expanded", from_vector<float>({1, 2}).expand({3, 2})},
                                    {"grad_leaf", randn({2}, {.requires_grad = true})}};
  const io::SafetensorsContents back =
      io::parse_safetensors(io::serialize_safetensors(tensors), "memory");
  ASSERT_EQ(back.tensors.size(), 4u);
  for (size_t i = 0; i < tensors.size(); ++i) {
    EXPECT_TRUE(back.tensors[i].second.is_contiguous());
    EXPECT_TRUE(bitwise_equal(back.tensors[i].second, tensors[i].second.detach().contiguous()));
    EXPECT_FALSE(back.tensors[i].second.requires_grad());
  }
}

TEST(Safetensors, ByteLayoutOfATinyFile) {
  // {"x": f32 [1.0, 2.0]}: the 54-byte JSON is padded with 2 spaces to 56, a multiple of 8.
  const std::string json = R"({"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  ASSERT_EQ(json.size(), 54u);
  const std::string expected = std::string("\x38\0\0\0\0\0\0\0", 8) + json + "  " +
                               std::string("\0\0\x80\x3F\0\0\0\x40", 8);
  EXPECT_EQ(io::serialize_safetensors({{"x", from_vector<float>({1.0f, 2.0f})}}), expected);

  // With metadata first, 79 bytes of JSON pad to 80.
  const std::string with_meta =
      R"({"__metadata__":{"k":"v"},"x":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";
  ASSERT_EQ(with_meta.size(), 79u);
  EXPECT_EQ(io::serialize_safetensors({{"x", from_vector<float>({1.0f, 2.0f})}}, {{"k", "v"}}),
            std::string("\x50\0\0\0\0\0\0\0", 8) + with_meta + " " +
                std::string("\0\0\x80\x3F\0\0\0\x40", 8));
}

TEST(Safetensors, WriterRejectsBadNames) {
  const Tensor t = zeros({1});
  EXPECT_TRUE(throws_error_containing(
      [&] { io::serialize_safetensors({{"a", t}, {"b", t}, {"a", t}}); }, {"'a'", "twice"}));
  EXPECT_TRUE(throws_error_containing([&] { io::serialize_safetensors({{"__metadata__", t}}); },
                                      {"__metadata__", "reserves"}));
  EXPECT_TRUE(throws_error_containing([&] { io::serialize_safetensors({{"bad\xff", t}}); },
                                      {"UTF-8"}));
  EXPECT_TRUE(throws_error_containing([&] { io::serialize_safetensors({{"undefined", Tensor()}}); },
                                      {"'undefined'", "undefined"}));
  ScratchDir scratch;  // a failed save creates nothing
  EXPECT_THROW(io::save_safetensors(scratch.path("x.safetensors"), {{"a", t}, {"a", t}}), Error);
  EXPECT_TRUE(scratch.entries().empty());
}

TEST(Safetensors, ReadsUnpaddedAndSpacedHeaders) {
  // Other writers may skip the padding or format the JSON; offsets are what count.
  const std::string data("\0\0\x80\x3F", 4);
  for (const std::string header :
       {R"({"x":{"dtype":"F32","shape":[],"data_offsets":[0,4]}})",
        "\n { \"x\" : {\"data_offsets\": [0, 4], \"shape\": [ ], \"dtype\": \"F32\"} } \t "}) {
    const io::SafetensorsContents back =
        io::parse_safetensors(safetensors_bytes(header, data), "hand-made");
    ASSERT_EQ(back.tensors.size(), 1u);
    EXPECT_EQ(back.tensors[0].second.shape(), Shape{});
    EXPECT_EQ(back.tensors[0].second.item(), 1.0);
  }
}

TEST(Safetensors, ConvertsHalfAndNarrowIntegerTypes) {
  // F16: 1.0, -0.0, 2^-24 (smallest subnormal), 65504 (largest), -inf, NaN; BF16: -2.0, 1.0.
  const std::string f16("\x00\x3C\x00\x80\x01\x00\xFF\x7B\x00\xFC\x00\x7E", 12);
  const std::string bf16("\x00\xC0\x80\x3F", 4);
  const std::string ints("\xFF\xFF\xFF\xFF" "\x00\x80" "\x80" "\xFF" "\x02", 9);
  const std::string header =
      R"({"h":{"dtype":"F16","shape":[6],"data_offsets":[0,12]},)"
      R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},)"
      R"("i32":{"dtype":"I32","shape":[1],"data_offsets":[16,20]},)"
      R"("i16":{"dtype":"I16","shape":[1],"data_offsets":[20,22]},)"
      R"("i8":{"dtype":"I8","shape":[1],"data_offsets":[22,23]},)"
      R"("u8":{"dtype":"U8","shape":[1],"data_offsets":[23,24]},)"
      R"("flag":{"dtype":"BOOL","shape":[1],"data_offsets":[24,25]}})";
  const nn::NamedTensors back =
      io::parse_safetensors(safetensors_bytes(header, f16 + bf16 + ints), "x").tensors;
  ASSERT_EQ(names_of(back), (std::vector<std::string>{"h", "b", "i32", "i16", "i8", "u8", "flag"}));
  const std::vector<float> h = back[0].second.to_vector<float>();
  EXPECT_EQ(h[0], 1.0f);
  EXPECT_TRUE(h[1] == 0.0f && std::signbit(h[1]));
  EXPECT_EQ(h[2], std::ldexp(1.0f, -24));
  EXPECT_EQ(h[3], 65504.0f);
  EXPECT_EQ(h[4], -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(h[5]));
  EXPECT_EQ(back[1].second.to_vector<float>(), (std::vector<float>{-2.0f, 1.0f}));
  for (size_t i = 2; i < 6; ++i) EXPECT_EQ(back[i].second.dtype(), DType::i64);
  EXPECT_EQ(back[2].second.item(), -1.0);
  EXPECT_EQ(back[3].second.item(), -32768.0);
  EXPECT_EQ(back[4].second.item(), -128.0);
  EXPECT_EQ(back[5].second.item(), 255.0);
  EXPECT_EQ(back[6].second.dtype(), DType::b8);
  EXPECT_EQ(back[6].second.to_vector<bool>(), std::vector<bool>{true});  // byte 2 reads as true
}

// The file PyTorch's tensors made (tools/golden/make_safetensors_fixture.py) and the values it
// recorded beside it: names in data-offset order, dtypes after conversion, exact values.
TEST(Safetensors, LoadsFileBuiltFromTorchTensors) {
  const std::string dir = NABLA_FIXTURE_DIR;
  const io::SafetensorsContents got = io::load_safetensors(dir + "/torch_state.safetensors");
  const nlohmann::json expected = nlohmann::json::parse(file_bytes(dir + "/torch_state.json"));
  EXPECT_EQ(got.metadata, expected["metadata"].get<io::Metadata>());
  const nlohmann::json& tensors = expected["tensors"];
  ASSERT_EQ(got.tensors.size(), tensors.size());
  for (size_t i = 0; i < tensors.size(); ++i) {
    const nlohmann::json& want = tensors[i];
    const auto& [name, t] = got.tensors[i];
    SCOPED_TRACE(name);
    EXPECT_EQ(name, want["name"].get<std::string>());
    EXPECT_EQ(std::string(dtype_name(t.dtype())), want["dtype"].get<std::string>());
    EXPECT_EQ(t.shape(), want["shape"].get<Shape>());
    const nlohmann::json& data = want["data"];
    ASSERT_EQ(static_cast<size_t>(t.numel()), data.size());
    Tensor expected_tensor;
    if (t.dtype() == DType::f32 || t.dtype() == DType::f64) {
      std::vector<double> values;  // float.hex() text: exact, with signs of zero and infinities
      for (const auto& v : data)
        values.push_back(std::strtod(v.get<std::string>().c_str(), nullptr));
      expected_tensor = from_vector(values, t.shape()).to(t.dtype());
    } else if (t.dtype() == DType::i64) {
      expected_tensor = from_vector(data.get<std::vector<int64_t>>(), t.shape());
    } else {
      expected_tensor = from_vector(data.get<std::vector<bool>>(), t.shape());
    }
    EXPECT_TRUE(bitwise_equal(t, expected_tensor));
  }
}
