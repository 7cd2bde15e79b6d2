// The report's drawing kit (src/report/svg.cpp, png.cpp): escaping, number formatting, axis
// ticks on linear and log scales, the chart's handling of values it cannot draw, the PNG
// encoder (decoded back with zlib) and Base64.
#include "report/svg.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <zlib.h>

#include <cmath>
#include <limits>

#include "nabla/error.hpp"
#include "report/png.hpp"
#include "report/xml_check.hpp"

using namespace nabla::report;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

uint32_t read_u32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(bytes[at + i]);
  return v;
}

}  // namespace

TEST(ReportSvg, EscapesMarkupCharacters) {
  EXPECT_EQ(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&#39;");
  EXPECT_EQ(escape("plain ‖ text"), "plain ‖ text");
}

TEST(ReportSvg, FormatsNumbersWithFewDigits) {
  EXPECT_EQ(format_number(0.00123456), "0.00123");
  EXPECT_EQ(format_number(2.0), "2");
  EXPECT_EQ(format_number(1234567.0), "1.23e6");
  EXPECT_EQ(format_number(2e-5), "2e-5");
  EXPECT_EQ(format_number(-0.0), "0");
  EXPECT_EQ(format_number(kNaN), "NaN");
  EXPECT_EQ(format_number(-kInf), "-inf");
  EXPECT_EQ(format_number(3.14159, 5), "3.1416");
}

TEST(ReportSvg, LinearTicksAreNiceAndCoverTheData) {
  const Axis axis = linear_axis(0.13, 2.27);
  EXPECT_DOUBLE_EQ(axis.low, 0.0);
  EXPECT_DOUBLE_EQ(axis.high, 2.5);
  ASSERT_EQ(axis.ticks.size(), 6u);
  EXPECT_EQ(axis.label(axis.ticks[1]), "0.5");
  EXPECT_EQ(axis.label(axis.ticks[5]), "2.5");
  const Axis big = linear_axis(1000, 5200);
  EXPECT_EQ(big.label(big.ticks.back()), "6000");  // never "6e3" for ordinary numbers

  const Axis kept = linear_axis(-1.5, 1.5, 6, false);  // exact bounds, ticks inside
  EXPECT_DOUBLE_EQ(kept.low, -1.5);
  EXPECT_DOUBLE_EQ(kept.high, 1.5);
  EXPECT_THAT(kept.ticks, ElementsAre(-1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 1.5));
  EXPECT_EQ(kept.label(kept.ticks[3]), "0");

  const Axis flat = linear_axis(0.1, 0.1);  // a constant series still gets a range
  EXPECT_LT(flat.low, 0.1);
  EXPECT_GT(flat.high, 0.1);
  EXPECT_GE(flat.ticks.size(), 2u);
}

TEST(ReportSvg, LogTicksAreDecades) {
  const Axis axis = log_axis(3e-5, 2e-2);
  EXPECT_TRUE(axis.log);
  EXPECT_DOUBLE_EQ(axis.low, 1e-5);
  EXPECT_DOUBLE_EQ(axis.high, 1e-1);
  ASSERT_EQ(axis.ticks.size(), 5u);
  EXPECT_EQ(axis.label(axis.ticks[2]), "1e-3");  // one style along the whole axis
  EXPECT_EQ(axis.label(axis.ticks[0]), "1e-5");

  const Axis narrow = log_axis(0.2, 0.7);  // within a decade: 1-2-5 ticks, plain numbers
  EXPECT_THAT(narrow.ticks, ElementsAre(0.1, 0.2, 0.5, 1.0));
  EXPECT_EQ(narrow.label(0.2), "0.2");
  EXPECT_EQ(log_axis(2e-5, 3e-5).label(2e-5), "2e-5");
  const Axis wide = log_axis(1e-12, 1e8);  // 20 decades: thinned to at most ~8 labels
  EXPECT_LE(wide.ticks.size(), 11u);
  EXPECT_DOUBLE_EQ(wide.ticks.back(), wide.high);  // the top is labelled
  const Axis odd = log_axis(1e-3, 1e6);            // 9 decades, every second one labelled
  EXPECT_DOUBLE_EQ(odd.high, 1e7);
  EXPECT_DOUBLE_EQ(odd.ticks.back(), 1e7);
}

TEST(ReportSvg, ExtentSkipsValuesThatCannotBeDrawn) {
  Extent extent;
  extent.add({kNaN, 2.0, -kInf, -1.0, 0.0, 5.0}, true);
  EXPECT_TRUE(extent.any);
  EXPECT_EQ(extent.low, 2.0);
  EXPECT_EQ(extent.high, 5.0);
  const Axis empty = axis_for(Extent{}, false);
  EXPECT_EQ(empty.low, 0.0);
  EXPECT_EQ(empty.high, 1.0);
}

TEST(ReportSvg, PolylineBreaksAtNonFiniteValues) {
  Svg svg("test", 200, 100, "Test <plot>");
  Chart chart(svg, {10, 10, 180, 80}, linear_axis(0, 4), log_axis(0.1, 10));
  chart.draw_axes("x", "y");
  const int skipped = chart.polyline({0, 1, 2, 3, 4}, {1, kNaN, 2, -1, 3}, "#000");
  EXPECT_EQ(skipped, 2);  // NaN, and -1 on the log axis
  EXPECT_EQ(chart.points({0, 1}, {kInf, 1}, "#000", 2), 1);
  const std::string markup = svg.str();
  EXPECT_THAT(markup, HasSubstr("Test &lt;plot&gt;"));
  EXPECT_EQ(markup.find("nan"), std::string::npos);
  EXPECT_EQ(markup.find("inf"), std::string::npos);
  EXPECT_EQ(nabla::report::testing::xml_problem(markup), "");
}

TEST(ReportSvg, LegendWrapsLongLists) {
  Svg svg("test", 300, 100, "Legend");
  std::vector<std::pair<std::string, std::string>> entries;
  for (int i = 0; i < 12; ++i) entries.emplace_back("parameter " + std::to_string(i), palette(i));
  EXPECT_GT(svg.legend(0, 0, 280, entries), 16 * 3);
  EXPECT_EQ(svg.legend(0, 0, 280, {}), 0);
}

TEST(ReportSvg, PaletteAndTextFitting) {
  EXPECT_EQ(palette(0), "#1f77b4");
  EXPECT_EQ(palette(25).size(), 7u);
  EXPECT_NE(palette(25), palette(26));
  EXPECT_EQ(lighten("#000000", 1.0), "#ffffff");
  EXPECT_EQ(lighten("#204080", 0.0), "#204080");
  EXPECT_EQ(fit_text("short", 100, 10), "short");
  const std::string cut = fit_text("a rather long parameter name", 60, 10);
  EXPECT_LE(text_width(cut, 10), 60.0);
  EXPECT_THAT(cut, ::testing::EndsWith("…"));
}

TEST(ReportSvg, Base64MatchesTheRfcVectors) {
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(png_data_uri("fo"), "data:image/png;base64,Zm8=");
}

TEST(ReportSvg, PngDecodesBackToThePixels) {
  const int64_t width = 3, height = 2;
  const std::vector<uint8_t> pixels = {0,  10,  20,  30,  40,  50,  60,  70,  80,
                                       90, 100, 110, 120, 130, 140, 150, 160, 255};
  const std::string png = encode_png(pixels, width, height, 3);
  ASSERT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(read_u32(png, 8), 13u);
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(read_u32(png, 16), 3u);
  EXPECT_EQ(read_u32(png, 20), 2u);
  EXPECT_EQ(png[24], 8);  // bit depth
  EXPECT_EQ(png[25], 2);  // RGB
  // Every chunk's CRC covers its type and data.
  size_t at = 8;
  std::string idat;
  while (at < png.size()) {
    const uint32_t length = read_u32(png, at);
    const std::string type = png.substr(at + 4, 4);
    const uint32_t crc = static_cast<uint32_t>(
        crc32(0L, reinterpret_cast<const Bytef*>(png.data() + at + 4), length + 4));
    EXPECT_EQ(read_u32(png, at + 8 + length), crc) << type;
    if (type == "IDAT") idat = png.substr(at + 8, length);
    at += 12 + length;
  }
  EXPECT_EQ(at, png.size());
  std::string raw(height * (width * 3 + 1), '\0');
  uLongf raw_size = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_size,
                       reinterpret_cast<const Bytef*>(idat.data()), idat.size()),
            Z_OK);
  ASSERT_EQ(raw_size, raw.size());
  for (int64_t y = 0; y < height; ++y) {
    EXPECT_EQ(raw[y * (width * 3 + 1)], 0) << "filter type of row " << y;
    for (int64_t i = 0; i < width * 3; ++i)
      EXPECT_EQ(static_cast<uint8_t>(raw[y * (width * 3 + 1) + 1 + i]), pixels[y * width * 3 + i]);
  }
}

TEST(ReportSvg, PngRejectsBadShapes) {
  try {
    encode_png(std::vector<uint8_t>(5), 2, 2, 1);
    FAIL() << "expected an error";
  } catch (const nabla::Error& e) {
    EXPECT_THAT(e.what(), HasSubstr("encode_png: 5 bytes for a 2x2x1 image; expected 4"));
  }
  EXPECT_THROW(encode_png(std::vector<uint8_t>(8), 2, 2, 2), nabla::Error);
}
