// A minimal PNG encoder (8-bit grey or RGB, no interlace, filter 0, zlib from the system) and
// Base64, so report.html can show images inline as data: URIs without any image library.
//
//   std::string uri = png_data_uri(encode_png(pixels, 28, 28, 1));   // "data:image/png;base64,.."
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace nabla::report {

// `pixels` holds height rows of width * channels bytes, channels 1 (grey) or 3 (RGB).
std::string encode_png(const std::vector<uint8_t>& pixels, int64_t width, int64_t height,
                       int channels);

// Standard Base64 (RFC 4648) with '=' padding.
std::string base64(const std::string& bytes);

std::string png_data_uri(const std::string& png);

}  // namespace nabla::report
