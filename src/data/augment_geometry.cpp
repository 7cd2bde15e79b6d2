// The geometric image operations of augment_ops.hpp: affine warps by inverse mapping with
// bilinear sampling and zero fill (torchvision's F.affine / F.rotate on tensors), resized crops
// (F.resized_crop, bilinear as F.interpolate with align_corners=False), padded crops, flips.
#include <cmath>
#include <numbers>

#include "data/augment_image.hpp"
#include "nabla/data/augment_ops.hpp"
#include "nabla/error.hpp"

namespace nabla::data {
namespace {

// cos and sin of `degrees`, exact at multiples of 90 so that quarter turns move whole pixels.
void cos_sin_degrees(double degrees, double& c, double& s) {
  const double quarters = degrees / 90.0;
  if (quarters == std::floor(quarters) && std::abs(quarters) < 1e15) {
    const int64_t q = static_cast<int64_t>(quarters) % 4;
    const int64_t k = q < 0 ? q + 4 : q;
    const double cs[4] = {1, 0, -1, 0}, sn[4] = {0, 1, 0, -1};
    c = cs[k];
    s = sn[k];
    return;
  }
  const double r = degrees * std::numbers::pi / 180.0;
  c = std::cos(r);
  s = std::sin(r);
}

// Bilinear sample of plane p (h x w) at pixel coordinates (y, x); outside reads 0.
double sample_zero_fill(const float* p, int64_t h, int64_t w, double y, double x) {
  const double fy = std::floor(y), fx = std::floor(x);
  const int64_t y0 = static_cast<int64_t>(fy), x0 = static_cast<int64_t>(fx);
  const double ly = y - fy, lx = x - fx;
  double value = 0.0;
  for (int64_t dy = 0; dy < 2; ++dy) {
    const int64_t yy = y0 + dy;
    if (yy < 0 || yy >= h) continue;
    const double wy = dy ? ly : 1.0 - ly;
    for (int64_t dx = 0; dx < 2; ++dx) {
      const int64_t xx = x0 + dx;
      if (xx < 0 || xx >= w) continue;
      value += wy * (dx ? lx : 1.0 - lx) * p[yy * w + xx];
    }
  }
  return value;
}

// F.interpolate's source index for output index `i` (align_corners=False): clamped at 0 below,
// the upper neighbour clamped to the last index.
struct SourceIndex {
  int64_t lo, hi;
  double weight_hi;
};
SourceIndex source_index(int64_t i, int64_t in_size, int64_t out_size) {
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double src = std::max(0.0, (static_cast<double>(i) + 0.5) * scale - 0.5);
  const int64_t lo = std::min(static_cast<int64_t>(src), in_size - 1);
  return {lo, std::min(lo + 1, in_size - 1), src - static_cast<double>(lo)};
}

}  // namespace

Tensor affine(const Tensor& image, double angle, double dx, double dy, double shear_x) {
  const ImageData in(image, "affine");
  Tensor out = empty(in.shape(), {.dtype = DType::f32});
  float* o = out.data<float>();
  // torchvision's _get_inverse_affine_matrix with centre 0 (coordinates relative to the image
  // centre), scale 1 and no y shear: output point -> source point.
  double c, s;
  cos_sin_degrees(angle, c, s);
  const double t = std::tan(shear_x * std::numbers::pi / 180.0);
  const double a = c, b = -(a * t + s), cc = s, d = c - cc * t;
  const double m[6] = {d, -b, -d * dx + b * dy, -cc, a, cc * dx - a * dy};
  const double cy = (in.h - 1) / 2.0, cx = (in.w - 1) / 2.0;
  for (int64_t ch = 0; ch < in.c; ++ch) {
    const float* p = in.plane(ch);
    for (int64_t i = 0; i < in.h; ++i)
      for (int64_t j = 0; j < in.w; ++j) {
        const double x = j - cx, y = i - cy;
        const double sx = m[0] * x + m[1] * y + m[2] + cx, sy = m[3] * x + m[4] * y + m[5] + cy;
        o[(ch * in.h + i) * in.w + j] = static_cast<float>(sample_zero_fill(p, in.h, in.w, sy, sx));
      }
  }
  return out;
}

Tensor rotate(const Tensor& image, double degrees) { return affine(image, -degrees, 0, 0, 0); }
Tensor translate(const Tensor& image, double dx, double dy) { return affine(image, 0, dx, dy, 0); }
Tensor shear(const Tensor& image, double degrees) { return affine(image, 0, 0, 0, degrees); }

namespace {

// The window rows [top, top + height), columns [left, left + width) of `in`, bilinearly resized
// to out_h x out_w (F.interpolate, align_corners=False, no antialiasing).
Tensor resize_window(const ImageData& in, int64_t top, int64_t left, int64_t height,
                     int64_t width, int64_t out_h, int64_t out_w) {
  Tensor out = empty({in.c, out_h, out_w}, {.dtype = DType::f32});
  float* o = out.data<float>();
  for (int64_t ch = 0; ch < in.c; ++ch) {
    const float* p = in.plane(ch) + top * in.w + left;
    for (int64_t i = 0; i < out_h; ++i) {
      const SourceIndex y = source_index(i, height, out_h);
      for (int64_t j = 0; j < out_w; ++j) {
        const SourceIndex x = source_index(j, width, out_w);
        const double upper =
            (1 - x.weight_hi) * p[y.lo * in.w + x.lo] + x.weight_hi * p[y.lo * in.w + x.hi];
        const double lower =
            (1 - x.weight_hi) * p[y.hi * in.w + x.lo] + x.weight_hi * p[y.hi * in.w + x.hi];
        o[(ch * out_h + i) * out_w + j] =
            static_cast<float>((1 - y.weight_hi) * upper + y.weight_hi * lower);
      }
    }
  }
  return out;
}

}  // namespace

Tensor resized_crop(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width) {
  const ImageData in(image, "resized_crop");
  NABLA_CHECK(height >= 1 && width >= 1 && top >= 0 && left >= 0 && top + height <= in.h &&
                  left + width <= in.w,
              "resized_crop: window top ", top, ", left ", left, ", height ", height, ", width ",
              width, " is not inside the ", in.h, " x ", in.w, " image ", in.shape(),
              "; keep 0 <= top, top + height <= H and 0 <= left, left + width <= W");
  return resize_window(in, top, left, height, width, in.h, in.w);
}

Tensor resize(const Tensor& image, int64_t height, int64_t width) {
  const ImageData in(image, "resize");
  NABLA_CHECK(height >= 1 && width >= 1 && height <= (1 << 16) && width <= (1 << 16),
              "resize: output size ", height, " x ", width, " must lie in [1, 65536]");
  if (height == in.h && width == in.w) return in.data.clone();
  return resize_window(in, 0, 0, in.h, in.w, height, width);
}

Tensor padded_crop(const Tensor& image, int64_t padding, int64_t top, int64_t left) {
  const ImageData in(image, "padded_crop");
  NABLA_CHECK(padding >= 0 && top >= 0 && top <= 2 * padding && left >= 0 && left <= 2 * padding,
              "padded_crop: padding ", padding, " with offsets top ", top, ", left ", left,
              "; the offsets must lie in [0, 2 * padding]");
  Tensor out = zeros(in.shape(), {.dtype = DType::f32});
  float* o = out.data<float>();
  for (int64_t ch = 0; ch < in.c; ++ch)
    for (int64_t i = 0; i < in.h; ++i) {
      const int64_t si = i + top - padding;
      if (si < 0 || si >= in.h) continue;
      for (int64_t j = 0; j < in.w; ++j) {
        const int64_t sj = j + left - padding;
        if (sj >= 0 && sj < in.w) o[(ch * in.h + i) * in.w + j] = in.plane(ch)[si * in.w + sj];
      }
    }
  return out;
}

Tensor horizontal_flip(const Tensor& image) {
  const ImageData in(image, "horizontal_flip");
  Tensor out = empty(in.shape(), {.dtype = DType::f32});
  float* o = out.data<float>();
  for (int64_t ch = 0; ch < in.c; ++ch)
    for (int64_t i = 0; i < in.h; ++i)
      for (int64_t j = 0; j < in.w; ++j)
        o[(ch * in.h + i) * in.w + j] = in.plane(ch)[i * in.w + (in.w - 1 - j)];
  return out;
}

Tensor vertical_flip(const Tensor& image) {
  const ImageData in(image, "vertical_flip");
  Tensor out = empty(in.shape(), {.dtype = DType::f32});
  float* o = out.data<float>();
  for (int64_t ch = 0; ch < in.c; ++ch)
    for (int64_t i = 0; i < in.h; ++i)
      for (int64_t j = 0; j < in.w; ++j)
        o[(ch * in.h + i) * in.w + j] = in.plane(ch)[(in.h - 1 - i) * in.w + j];
  return out;
}

}  // namespace nabla::data
