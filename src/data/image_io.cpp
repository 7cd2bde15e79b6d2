// PNG through libpng's simplified API, JPEG through TurboJPEG; both decode from memory, so the
// file is read once (io::read_file) and a truncated or hostile file fails inside the library,
// which reports it, rather than in our code.
#include "nabla/data/image.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <memory>
#include <vector>

#include "nabla/error.hpp"
#include "nabla/io/atomic_file.hpp"
#include "nabla/ops.hpp"

namespace nabla::data {

namespace {

bool starts_with_bytes(const std::string& bytes, std::string_view magic) {
  return bytes.size() >= magic.size() && std::string_view(bytes).substr(0, magic.size()) == magic;
}

// `kind` is "PNG" or "JPEG", for the message.
void check_size(int64_t width, int64_t height, const std::string& name, const char* kind) {
  NABLA_CHECK(width >= 1 && height >= 1, "read_image: '", name, "' is a damaged ", kind,
              " (its header gives ", width, " x ", height, " pixels)");
  NABLA_CHECK(width * height <= kMaxImagePixels, "read_image: '", name, "' is ", width, " x ",
              height, " pixels; nabla reads images of up to 2^28 pixels (resize it first)");
}

// 8-bit interleaved pixels (`stored` channels per pixel, the first `kept` used) → [kept, H, W].
Tensor planar_from_interleaved(const unsigned char* pixels, int64_t height, int64_t width,
                               int64_t stored, int64_t kept) {
  Tensor out = empty({kept, height, width}, {.dtype = DType::f32});
  float* o = out.data<float>();
  const int64_t plane = height * width;
  for (int64_t p = 0; p < plane; ++p)
    for (int64_t c = 0; c < kept; ++c) o[c * plane + p] = pixels[p * stored + c] / 255.0f;
  return out;
}

Tensor decode_png(const std::string& bytes, const std::string& name) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  NABLA_CHECK(png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()) != 0,
              "read_image: '", name, "' is not a readable PNG: ", image.message);
  // Read with alpha and drop it ourselves: libpng would composite it onto a background.
  const bool color = (image.format & PNG_FORMAT_FLAG_COLOR) != 0;
  image.format = color ? PNG_FORMAT_RGBA : PNG_FORMAT_GA;
  const int64_t width = image.width, height = image.height;
  if (width < 1 || height < 1 || width * height > kMaxImagePixels) png_image_free(&image);
  check_size(width, height, name, "PNG");
  std::vector<unsigned char> pixels(PNG_IMAGE_SIZE(image));
  NABLA_CHECK(png_image_finish_read(&image, nullptr, pixels.data(), 0, nullptr) != 0,
              "read_image: '", name, "' is a damaged PNG (", image.message,
              "); re-export or re-download it");
  const int64_t stored = color ? 4 : 2;
  return planar_from_interleaved(pixels.data(), height, width, stored, stored - 1);
}

Tensor decode_jpeg(const std::string& bytes, const std::string& name) {
  const std::unique_ptr<void, int (*)(tjhandle)> handle(tjInitDecompress(), tjDestroy);
  NABLA_CHECK(handle != nullptr, "read_image: TurboJPEG could not start: ", tjGetErrorStr2(nullptr));
  auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto size = static_cast<unsigned long>(bytes.size());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  NABLA_CHECK(tjDecompressHeader3(handle.get(), data, size, &width, &height, &subsampling,
                                  &colorspace) == 0,
              "read_image: '", name, "' is not a readable JPEG: ", tjGetErrorStr2(handle.get()));
  check_size(width, height, name, "JPEG");
  NABLA_CHECK(colorspace != TJCS_CMYK && colorspace != TJCS_YCCK, "read_image: '", name,
              "' is a CMYK JPEG; convert it to RGB first (e.g. convert in.jpg -colorspace sRGB "
              "out.jpg)");
  const bool gray = colorspace == TJCS_GRAY;
  const int64_t channels = gray ? 1 : 3;
  std::vector<unsigned char> pixels(static_cast<size_t>(width) * height * channels);
  // A warning (a truncated or corrupt stream that still "decodes") is an error: the pixels
  // would be partly grey.
  NABLA_CHECK(tjDecompress2(handle.get(), data, size, pixels.data(), width, 0, height,
                            gray ? TJPF_GRAY : TJPF_RGB,
                            TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING) == 0,
              "read_image: '", name, "' is a damaged JPEG (", tjGetErrorStr2(handle.get()),
              "); re-export or re-download it");
  return planar_from_interleaved(pixels.data(), height, width, channels, channels);
}

}  // namespace

Tensor decode_image(const std::string& bytes, const std::string& name) {
  if (starts_with_bytes(bytes, "\x89PNG\r\n\x1a\n")) return decode_png(bytes, name);
  if (starts_with_bytes(bytes, "\xFF\xD8\xFF")) return decode_jpeg(bytes, name);
  NABLA_FAIL("read_image: '", name, "' is neither a PNG nor a JPEG file (by its first bytes); "
             "nabla reads those two image formats");
}

Tensor read_image(const std::string& path) { return decode_image(io::read_file(path, "read_image"), path); }

void write_png(const std::string& path, const Tensor& image) {
  NABLA_CHECK(image.defined() && image.dim() == 3 && (image.size(0) == 1 || image.size(0) == 3) &&
                  image.size(1) >= 1 && image.size(2) >= 1,
              "write_png: expected an image [C, H, W] with C = 1 or 3, got shape ",
              image.defined() ? image.shape() : Shape{});
  const Tensor planar = image.to(Device::CPU).to(DType::f32).contiguous();
  const int64_t channels = image.size(0), height = image.size(1), width = image.size(2);
  const int64_t plane = height * width;
  const float* p = planar.data<float>();
  std::vector<unsigned char> pixels(static_cast<size_t>(plane * channels));
  for (int64_t i = 0; i < plane; ++i)
    for (int64_t c = 0; c < channels; ++c) {
      const float v = p[c * plane + i];
      NABLA_CHECK(v >= 0.0f && v <= 1.0f, "write_png: value ", v, " at channel ", c, ", pixel ",
                  i, " is outside [0, 1]; scale or clamp the image first");
      pixels[static_cast<size_t>(i * channels + c)] =
          static_cast<unsigned char>(std::lround(v * 255.0f));
    }
  png_image png;
  std::memset(&png, 0, sizeof png);
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(width);
  png.height = static_cast<png_uint_32>(height);
  png.format = channels == 3 ? PNG_FORMAT_RGB : PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  NABLA_CHECK(png_image_write_get_memory_size(png, size, 0, pixels.data(), 0, nullptr) != 0,
              "write_png: libpng cannot encode '", path, "': ", png.message);
  std::string bytes(size, '\0');
  NABLA_CHECK(png_image_write_to_memory(&png, bytes.data(), &size, 0, pixels.data(), 0, nullptr) != 0,
              "write_png: libpng cannot encode '", path, "': ", png.message);
  bytes.resize(size);
  io::write_file_atomically(path, bytes, "write_png");
}

bool has_image_extension(const std::string& path) {
  const size_t dot = path.rfind('.');
  if (dot == std::string::npos) return false;
  std::string extension = path.substr(dot + 1);
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return extension == "png" || extension == "jpg" || extension == "jpeg";
}

Tensor to_channels(const Tensor& image, int64_t channels) {
  NABLA_CHECK(image.defined() && image.dim() == 3 && (channels == 1 || channels == 3),
              "to_channels: expected an image [C, H, W] and 1 or 3 channels, got shape ",
              image.defined() ? image.shape() : Shape{}, " and ", channels);
  const int64_t have = image.size(0);
  if (have == channels) return image;
  if (have == 1) return cat({image, image, image}, 0);
  NABLA_CHECK(have == 3, "to_channels: an image of ", have, " channels; expected 1 or 3");
  return image.narrow(0, 0, 1) * 0.2989 + image.narrow(0, 1, 1) * 0.587 +
         image.narrow(0, 2, 1) * 0.114;
}

}  // namespace nabla::data
