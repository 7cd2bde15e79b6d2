// Pictures of what a network learned, as the course notes draw them: the first layer's filters
// as a grid of small images, and one image's activation maps after each convolution. Each tile
// is scaled to its own minimum..maximum (so a filter's pattern shows whatever its size), drawn
// `zoom` screen pixels per value, with a one-pixel white gap between tiles.
//
//   report::Picture grid = report::image_grid(conv1.weight);   // [O, C, kH, kW]
//   report::write_png("filters.png", grid);
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::report {

// 8-bit pixels, rows top to bottom, channels interleaved: 1 (grey) or 3 (RGB).
struct Picture {
  std::vector<uint8_t> pixels;
  int64_t width = 0, height = 0;
  int channels = 1;
  bool empty() const { return pixels.empty(); }
};

// Images or filters [N, C, H, W] (any float dtype), one tile each in rows of up to 8 (at most
// max_tiles): colour when C = 3, else grey of the mean over the C channels.
Picture image_grid(const Tensor& images, int64_t zoom = 6, int64_t max_tiles = 64);
// Activation maps [C, H, W] of one image, one grey tile per channel in rows of up to 8 (at most
// max_tiles channels).
Picture feature_map_grid(const Tensor& maps, int64_t zoom = 2, int64_t max_tiles = 32);

std::string encode_png(const Picture& picture);
// The PNG written atomically (io/atomic_file.hpp); an Error names the path when it cannot be.
void write_png(const std::string& path, const Picture& picture);

}  // namespace nabla::report

#pragma GCC visibility pop
