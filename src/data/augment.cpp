// make_augmentation: torchvision's random transforms drawn from the sample's RandomStream in
// the order augment.hpp documents, and the colour operations of augment_ops.hpp.
#include "nabla/data/augment.hpp"

#include <algorithm>
#include <cmath>

#include "data/augment_image.hpp"
#include "nabla/data/augment_ops.hpp"
#include "nabla/error.hpp"

namespace nabla::data {
namespace {

// clamp(factor * x + (1 - factor) * centre, 0, 1) over the image: torchvision's _blend.
Tensor blend(const ImageData& in, double factor, double centre) {
  Tensor out = empty(in.shape(), {.dtype = DType::f32});
  const float* x = in.data.data<float>();
  float* o = out.data<float>();
  for (int64_t k = 0; k < in.data.numel(); ++k)
    o[k] = static_cast<float>(std::clamp(factor * x[k] + (1.0 - factor) * centre, 0.0, 1.0));
  return out;
}

void check_probability(double p, const char* field) {
  NABLA_CHECK(p >= 0.0 && p <= 1.0, "AugmentOptions.", field, " = ", p,
              ": a probability must be in [0, 1]");
}

void check_non_negative(double v, const char* field, const char* meaning) {
  NABLA_CHECK(v >= 0.0 && std::isfinite(v), "AugmentOptions.", field, " = ", v,
              ": must be a finite value >= 0 (", meaning, "; 0 turns it off)");
}

void check_options(const AugmentOptions& o) {
  check_probability(o.horizontal_flip, "horizontal_flip");
  check_probability(o.vertical_flip, "vertical_flip");
  NABLA_CHECK(o.crop_padding >= 0, "AugmentOptions.crop_padding = ", o.crop_padding,
              ": must be >= 0 (pixels of zero padding before the random crop; 0 turns it off)");
  NABLA_CHECK(o.scale_min > 0.0 && o.scale_min <= 1.0, "AugmentOptions.scale_min = ", o.scale_min,
              ": must be in (0, 1] (the smallest area fraction of the resized crop; "
              "scale_min = scale_max = 1 turns it off)");
  NABLA_CHECK(o.scale_max > 0.0 && o.scale_max <= 1.0, "AugmentOptions.scale_max = ", o.scale_max,
              ": must be in (0, 1] (the largest area fraction of the resized crop)");
  NABLA_CHECK(o.scale_min <= o.scale_max, "AugmentOptions.scale_min = ", o.scale_min,
              " exceeds AugmentOptions.scale_max = ", o.scale_max, "; swap them");
  check_non_negative(o.rotation, "rotation", "degrees, drawn in [-rotation, rotation]");
  NABLA_CHECK(o.translate >= 0.0 && o.translate <= 1.0, "AugmentOptions.translate = ", o.translate,
              ": must be in [0, 1] (a fraction of the width and height)");
  NABLA_CHECK(o.shear >= 0.0 && o.shear < 90.0, "AugmentOptions.shear = ", o.shear,
              ": must be in [0, 90) degrees");
  check_non_negative(o.brightness, "brightness", "factor drawn in [1 - b, 1 + b]");
  check_non_negative(o.contrast, "contrast", "factor drawn in [1 - c, 1 + c]");
}

struct CropWindow {
  int64_t top, left, height, width;
};

// torchvision's RandomResizedCrop.get_params with ratio (3/4, 4/3); Python's round is
// half-to-even, as std::nearbyint in the default rounding mode.
CropWindow random_resized_window(int64_t h, int64_t w, double scale_min, double scale_max,
                                 RandomStream& rng) {
  const double area = static_cast<double>(h * w);
  const double log_lo = std::log(3.0 / 4.0), log_hi = std::log(4.0 / 3.0);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target = area * rng.uniform(scale_min, scale_max);
    const double ratio = std::exp(rng.uniform(log_lo, log_hi));
    const auto cw = static_cast<int64_t>(std::nearbyint(std::sqrt(target * ratio)));
    const auto ch = static_cast<int64_t>(std::nearbyint(std::sqrt(target / ratio)));
    if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
      const auto top = static_cast<int64_t>(rng.below(static_cast<uint64_t>(h - ch + 1)));
      const auto left = static_cast<int64_t>(rng.below(static_cast<uint64_t>(w - cw + 1)));
      return {top, left, ch, cw};
    }
  }
  const double in_ratio = static_cast<double>(w) / static_cast<double>(h);
  int64_t cw = w, ch = h;
  if (in_ratio < 3.0 / 4.0) ch = static_cast<int64_t>(std::nearbyint(cw / (3.0 / 4.0)));
  if (in_ratio > 4.0 / 3.0) cw = static_cast<int64_t>(std::nearbyint(ch * (4.0 / 3.0)));
  return {(h - ch) / 2, (w - cw) / 2, ch, cw};
}

Tensor augment_one(const AugmentOptions& o, const Tensor& sample, RandomStream& rng) {
  const ImageData checked(sample, "make_augmentation");
  Tensor x = checked.data;
  const int64_t h = checked.h, w = checked.w;
  if (o.scale_min < 1.0) {
    const CropWindow win = random_resized_window(h, w, o.scale_min, o.scale_max, rng);
    x = resized_crop(x, win.top, win.left, win.height, win.width);
  }
  if (o.rotation > 0 || o.translate > 0 || o.shear > 0) {
    const double angle = o.rotation > 0 ? rng.uniform(-o.rotation, o.rotation) : 0.0;
    double dx = 0, dy = 0;
    if (o.translate > 0) {
      dx = std::nearbyint(rng.uniform(-o.translate * w, o.translate * w));
      dy = std::nearbyint(rng.uniform(-o.translate * h, o.translate * h));
    }
    const double shear_x = o.shear > 0 ? rng.uniform(-o.shear, o.shear) : 0.0;
    x = affine(x, angle, dx, dy, shear_x);
  }
  if (o.crop_padding > 0) {
    const auto span = static_cast<uint64_t>(2 * o.crop_padding + 1);
    const auto top = static_cast<int64_t>(rng.below(span));
    const auto left = static_cast<int64_t>(rng.below(span));
    x = padded_crop(x, o.crop_padding, top, left);
  }
  if (o.horizontal_flip > 0 && rng.bernoulli(o.horizontal_flip)) x = horizontal_flip(x);
  if (o.vertical_flip > 0 && rng.bernoulli(o.vertical_flip)) x = vertical_flip(x);
  if (o.brightness > 0)
    x = adjust_brightness(x, rng.uniform(std::max(0.0, 1.0 - o.brightness), 1.0 + o.brightness));
  if (o.contrast > 0)
    x = adjust_contrast(x, rng.uniform(std::max(0.0, 1.0 - o.contrast), 1.0 + o.contrast));
  return x;
}

}  // namespace

bool AugmentOptions::any() const {
  return horizontal_flip > 0 || vertical_flip > 0 || crop_padding > 0 || scale_min < 1.0 ||
         scale_max < 1.0 || rotation > 0 || translate > 0 || shear > 0 || brightness > 0 ||
         contrast > 0;
}

Tensor adjust_brightness(const Tensor& image, double factor) {
  return blend(ImageData(image, "adjust_brightness"), factor, 0.0);
}

Tensor adjust_contrast(const Tensor& image, double factor) {
  const ImageData in(image, "adjust_contrast");
  const int64_t plane = in.h * in.w;
  double total = 0.0;
  if (in.c == 3) {
    const float *r = in.plane(0), *g = in.plane(1), *b = in.plane(2);
    for (int64_t k = 0; k < plane; ++k) total += 0.2989 * r[k] + 0.587 * g[k] + 0.114 * b[k];
    total /= static_cast<double>(plane);
  } else {
    const float* x = in.data.data<float>();
    for (int64_t k = 0; k < in.data.numel(); ++k) total += x[k];
    total /= static_cast<double>(in.data.numel());
  }
  return blend(in, factor, total);
}

SampleTransform make_augmentation(const AugmentOptions& options) {
  check_options(options);
  if (!options.any()) return [](const Tensor& sample, RandomStream&) { return sample; };
  return [options](const Tensor& sample, RandomStream& rng) {
    return augment_one(options, sample, rng);
  };
}

}  // namespace nabla::data
