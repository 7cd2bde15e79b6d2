// Image files (src/data/image_io.cpp): PNG round trips, JPEG decoding (files encoded here with
// TurboJPEG), channel conversion, resizing, and every damaged file an Error naming it.
#include <turbojpeg.h>

#include <cmath>
#include <fstream>

#include "io/io_test_util.hpp"
#include "nabla/data/augment_ops.hpp"
#include "nabla/data/image.hpp"
#include "nabla/io/atomic_file.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;

namespace {

// [C, H, W] of values k / 255: exactly representable in 8 bits.
Tensor byte_image(int64_t channels, int64_t height, int64_t width) {
  std::vector<float> values;
  for (int64_t i = 0; i < channels * height * width; ++i)
    values.push_back(static_cast<float>((i * 37) % 256) / 255.0f);
  return from_vector(values, {channels, height, width});
}

// A JPEG of `pixels` (interleaved, `channels` per pixel) at the highest quality.
std::string encode_jpeg(const std::vector<unsigned char>& pixels, int width, int height, int channels) {
  tjhandle handle = tjInitCompress();
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  const int result = tjCompress2(handle, pixels.data(), width, 0, height,
                                 channels == 1 ? TJPF_GRAY : TJPF_RGB, &buffer, &size,
                                 channels == 1 ? TJSAMP_GRAY : TJSAMP_444, 100, TJFLAG_ACCURATEDCT);
  std::string bytes = result == 0 ? std::string(reinterpret_cast<char*>(buffer), size) : "";
  tjFree(buffer);
  tjDestroy(handle);
  return bytes;
}

}  // namespace

TEST(Image, PngRoundTripsGrayAndRgbExactly) {
  ScratchDir scratch;
  for (int64_t channels : {1, 3}) {
    const Tensor image = byte_image(channels, 5, 7);
    const std::string path = scratch.path("x" + std::to_string(channels) + ".png");
    data::write_png(path, image);
    const Tensor back = data::read_image(path);
    EXPECT_EQ(back.shape(), image.shape());
    EXPECT_TRUE(allclose(back, image, 0.0, 0.0));
  }
}

TEST(Image, JpegDecodesCloseToItsPixels) {
  ScratchDir scratch;
  const int width = 16, height = 8;
  std::vector<unsigned char> gray(width * height, 128), rgb;
  for (int i = 0; i < width * height; ++i) rgb.insert(rgb.end(), {200, 100, 50});
  io::write_file_atomically(scratch.path("g.jpg"), encode_jpeg(gray, width, height, 1), "test");
  io::write_file_atomically(scratch.path("c.jpeg"), encode_jpeg(rgb, width, height, 3), "test");
  const Tensor g = data::read_image(scratch.path("g.jpg"));
  EXPECT_EQ(g.shape(), (Shape{1, 8, 16}));
  EXPECT_NEAR(g.mean().item(), 128 / 255.0, 1.0 / 255);
  const Tensor c = data::read_image(scratch.path("c.jpeg"));
  EXPECT_EQ(c.shape(), (Shape{3, 8, 16}));
  EXPECT_NEAR(c.narrow(0, 0, 1).mean().item(), 200 / 255.0, 2.0 / 255);
  EXPECT_NEAR(c.narrow(0, 2, 1).mean().item(), 50 / 255.0, 2.0 / 255);
}

TEST(Image, DamagedFilesAreNamed) {
  ScratchDir scratch;
  data::write_png(scratch.path("ok.png"), byte_image(3, 20, 20));
  const std::string png = io::read_file(scratch.path("ok.png"), "test");
  std::vector<unsigned char> gray(64 * 64, 7);
  const std::string jpeg = encode_jpeg(gray, 64, 64, 1);
  // Every truncation fails with the file's name; none crashes or decodes partly.
  // (Cutting only the closing IEND chunk leaves every pixel, which libpng accepts.)
  for (size_t cut : {size_t{8}, size_t{30}, png.size() / 2, png.size() - 20})
    EXPECT_TRUE(throws_error_containing([&] { data::decode_image(png.substr(0, cut), "cut.png"); },
                                        {"'cut.png'", "PNG"}))
        << cut;
  for (size_t cut : {size_t{3}, size_t{40}, jpeg.size() / 2, jpeg.size() - 2})
    EXPECT_TRUE(throws_error_containing([&] { data::decode_image(jpeg.substr(0, cut), "cut.jpg"); },
                                        {"'cut.jpg'", "JPEG"}))
        << cut;
  EXPECT_TRUE(throws_error_containing([] { data::decode_image("GIF89a...", "a.gif"); },
                                      {"'a.gif' is neither a PNG nor a JPEG"}));
  EXPECT_TRUE(throws_error_containing([&] { data::read_image(scratch.path("absent.png")); },
                                      {"absent.png"}));
  EXPECT_TRUE(throws_error_containing([&] { data::write_png(scratch.path("w.png"), byte_image(2, 3, 3)); },
                                      {"C = 1 or 3"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::write_png(scratch.path("w.png"), full({1, 2, 2}, 1.5)); }, {"outside [0, 1]"}));
  EXPECT_EQ(scratch.entries(), std::vector<std::string>{"ok.png"});
}

TEST(Image, ChannelsAndResize) {
  const Tensor gray = byte_image(1, 4, 4);
  const Tensor rgb = data::to_channels(gray, 3);
  EXPECT_EQ(rgb.shape(), (Shape{3, 4, 4}));
  EXPECT_TRUE(allclose(data::to_channels(rgb, 1), gray, 0.0, 2e-4));  // weights sum to 0.9999
  // Bilinear, align_corners=False: 2x upsampling of [0, 1] along a row gives torch's
  // F.interpolate values [0, 0.25, 0.75, 1].
  const Tensor row = from_vector(std::vector<float>{0.0f, 1.0f}, {1, 1, 2});
  EXPECT_EQ(data::resize(row, 1, 4).to_vector<float>(), (std::vector<float>{0, 0.25f, 0.75f, 1}));
  EXPECT_TRUE(allclose(data::resize(gray, 4, 4), gray, 0.0, 0.0));
  EXPECT_TRUE(throws_error_containing([&] { data::resize(gray, 0, 4); }, {"[1, 65536]"}));
}
