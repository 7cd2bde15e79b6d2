#include "report/png.hpp"

#include <zlib.h>

#include "nabla/error.hpp"

namespace nabla::report {

namespace {

void put_u32(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

// length, type, data, CRC-32 of type + data (PNG spec, chunk layout).
void put_chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  const std::string body = std::string(type, 4) + data;
  out += body;
  put_u32(out, static_cast<uint32_t>(crc32(0L, reinterpret_cast<const Bytef*>(body.data()),
                                           static_cast<uInt>(body.size()))));
}

}  // namespace

std::string encode_png(const std::vector<uint8_t>& pixels, int64_t width, int64_t height,
                       int channels) {
  NABLA_CHECK(channels == 1 || channels == 3, "encode_png: ", channels,
              " channels; only 1 (grey) or 3 (RGB) are supported");
  NABLA_CHECK(width > 0 && height > 0 && width < (1 << 24) && height < (1 << 24),
              "encode_png: image size ", width, "x", height, " is empty or too large");
  const size_t row = static_cast<size_t>(width) * static_cast<size_t>(channels);
  NABLA_CHECK(pixels.size() == row * static_cast<size_t>(height), "encode_png: ", pixels.size(),
              " bytes for a ", width, "x", height, "x", channels, " image; expected ",
              row * static_cast<size_t>(height));

  // Every scanline starts with its filter type; 0 (none) keeps the encoder trivial.
  std::string raw;
  raw.reserve((row + 1) * static_cast<size_t>(height));
  for (int64_t y = 0; y < height; ++y) {
    raw += '\0';
    raw.append(reinterpret_cast<const char*>(pixels.data()) + static_cast<size_t>(y) * row, row);
  }
  uLongf packed_size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_size, '\0');
  const int status = compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_size,
                               reinterpret_cast<const Bytef*>(raw.data()),
                               static_cast<uLong>(raw.size()), Z_BEST_COMPRESSION);
  NABLA_CHECK(status == Z_OK, "encode_png: zlib compress2 failed with status ", status);
  packed.resize(packed_size);

  std::string header;
  put_u32(header, static_cast<uint32_t>(width));
  put_u32(header, static_cast<uint32_t>(height));
  header += static_cast<char>(8);                      // bit depth
  header += static_cast<char>(channels == 1 ? 0 : 2);  // colour type: grey or RGB
  header += std::string(3, '\0');                      // compression, filter, interlace

  std::string png = "\x89PNG\r\n\x1a\n";
  put_chunk(png, "IHDR", header);
  put_chunk(png, "IDAT", packed);
  put_chunk(png, "IEND", "");
  return png;
}

std::string base64(const std::string& bytes) {
  static const char digits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += digits[(v >> 6) & 63];
    out += digits[v & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += digits[(v >> 18) & 63];
    out += digits[(v >> 12) & 63];
    out += rest == 2 ? digits[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string png_data_uri(const std::string& png) { return "data:image/png;base64," + base64(png); }

}  // namespace nabla::report
