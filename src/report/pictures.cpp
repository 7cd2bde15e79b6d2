#include "nabla/report/pictures.hpp"

#include <algorithm>
#include <cmath>

#include "nabla/error.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/ops.hpp"
#include "report/png.hpp"

namespace nabla::report {

namespace {

constexpr int64_t kTilesPerRow = 8;

// Tiles [count, channels, h, w] (float32, contiguous) laid out in rows of kTilesPerRow, each
// scaled to its own range (a constant tile is mid-grey), zoomed, white between tiles.
Picture tile_grid(const Tensor& tiles, int64_t zoom) {
  const int64_t count = tiles.size(0), channels = tiles.size(1), h = tiles.size(2), w = tiles.size(3);
  const int64_t columns = std::min(count, kTilesPerRow), rows = (count + columns - 1) / columns;
  const int64_t tile_w = w * zoom, tile_h = h * zoom;
  Picture picture;
  picture.channels = static_cast<int>(channels);
  picture.width = columns * (tile_w + 1) + 1;
  picture.height = rows * (tile_h + 1) + 1;
  picture.pixels.assign(static_cast<size_t>(picture.width * picture.height * channels), 255);
  const float* values = tiles.data<float>();
  const int64_t tile_size = channels * h * w;
  for (int64_t t = 0; t < count; ++t) {
    const float* tile = values + t * tile_size;
    float low = INFINITY, high = -INFINITY;
    for (int64_t i = 0; i < tile_size; ++i)
      if (std::isfinite(tile[i])) low = std::min(low, tile[i]), high = std::max(high, tile[i]);
    const float span = high > low ? high - low : 0.0f;
    const int64_t left = 1 + (t % columns) * (tile_w + 1), top = 1 + (t / columns) * (tile_h + 1);
    for (int64_t y = 0; y < tile_h; ++y)
      for (int64_t x = 0; x < tile_w; ++x)
        for (int64_t c = 0; c < channels; ++c) {
          const float v = tile[(c * h + y / zoom) * w + x / zoom];
          const float level = !std::isfinite(v) ? 0.0f : span > 0 ? (v - low) / span : 0.5f;
          picture.pixels[static_cast<size_t>(((top + y) * picture.width + left + x) * channels + c)] =
              static_cast<uint8_t>(std::lround(255.0f * std::clamp(level, 0.0f, 1.0f)));
        }
  }
  return picture;
}

void check_zoom(int64_t zoom, int64_t max_tiles, const char* op) {
  NABLA_CHECK(zoom >= 1 && zoom <= 64 && max_tiles >= 1, op, ": zoom ", zoom, " and max_tiles ",
              max_tiles, " must be in [1, 64] and >= 1");
}

}  // namespace

Picture image_grid(const Tensor& images, int64_t zoom, int64_t max_tiles) {
  check_zoom(zoom, max_tiles, "image_grid");
  NABLA_CHECK(images.defined() && images.dim() == 4 && images.numel() > 0 &&
                  is_floating(images.dtype()),
              "image_grid: expected images or convolution weights [N, C, H, W] of floats, got ",
              images.defined() ? images.shape() : Shape{});
  Tensor w = images.detach().to(Device::CPU).to(DType::f32);
  w = w.narrow(0, 0, std::min(w.size(0), max_tiles));
  if (w.size(1) != 3) w = mean(w, {1}, /*keepdim=*/true);
  return tile_grid(w.contiguous(), zoom);
}

Picture feature_map_grid(const Tensor& maps, int64_t zoom, int64_t max_tiles) {
  check_zoom(zoom, max_tiles, "feature_map_grid");
  NABLA_CHECK(maps.defined() && maps.dim() == 3 && maps.numel() > 0 && is_floating(maps.dtype()),
              "feature_map_grid: expected one image's activation maps [C, H, W] of floats, got ",
              maps.defined() ? maps.shape() : Shape{});
  Tensor m = maps.detach().to(Device::CPU).to(DType::f32);
  m = m.narrow(0, 0, std::min(m.size(0), max_tiles));
  return tile_grid(m.unsqueeze(1).contiguous(), zoom);
}

std::string encode_png(const Picture& picture) {
  return encode_png(picture.pixels, picture.width, picture.height, picture.channels);
}

void write_png(const std::string& path, const Picture& picture) {
  io::write_file_atomically(path, encode_png(picture), "write_png");
}

}  // namespace nabla::report
