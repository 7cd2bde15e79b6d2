// Image files: PNG (libpng) and JPEG (libjpeg-turbo) in, PNG out. A file's kind is told by its
// first bytes, not its name. Pixels become float32 in [0, 1], channels first, as torchvision's
// ToTensor gives them:
//
//   Tensor image = data::read_image("shoe.png");        // [1, H, W] or [3, H, W]
//   image = data::to_channels(image, 3);                 // grayscale → RGB
//   data::write_png("copy.png", image);                  // 8 bits per channel, atomically
#pragma once
#pragma GCC visibility push(default)

#include <string>

#include "nabla/tensor.hpp"

namespace nabla::data {

// Largest image read: 2^28 pixels (16384 x 16384), so a hostile header cannot ask for more.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 28;

// The decoded image [C, H, W], float32 in [0, 1]: C = 1 for grayscale files, 3 otherwise. An
// alpha channel is dropped (as PIL's convert("RGB")); 16-bit PNGs are reduced to 8 bits. An
// Error names the file and what is wrong (truncated, not an image, too large, CMYK JPEG).
Tensor read_image(const std::string& path);

// Decodes image bytes already in memory; `name` stands for the file in errors.
Tensor decode_image(const std::string& bytes, const std::string& name);

// Writes [C, H, W] (C = 1 or 3, values in [0, 1], rounded to 8 bits) as a PNG file.
void write_png(const std::string& path, const Tensor& image);

// True for names ending in .png, .jpg or .jpeg (any case): what a folder of images holds.
bool has_image_extension(const std::string& path);

// [C, H, W] with `channels` channels: grayscale copied to RGB, RGB to grayscale with ITU-R 601
// weights (torchvision's rgb_to_grayscale: 0.2989 R + 0.587 G + 0.114 B).
Tensor to_channels(const Tensor& image, int64_t channels);

}  // namespace nabla::data

#pragma GCC visibility pop
