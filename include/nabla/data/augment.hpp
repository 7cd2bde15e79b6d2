// Data augmentation for image batches [C, H, W] per sample (torchvision's transforms,
// seeded by the loader's per-sample stream, loader.hpp), and mixup over a batch.
//
//   data::AugmentOptions aug{.horizontal_flip = 0.5, .crop_padding = 2};
//   data::DataLoader loader(train, {.seed = 1}, data::make_augmentation(aug));
#pragma once
#pragma GCC visibility push(default)

#include "nabla/data/loader.hpp"

namespace nabla::data {

// Every field at its default leaves the image unchanged. Geometric transforms sample the
// source bilinearly, zero outside the image (torchvision's fill 0; augment_ops.hpp has the
// exact conventions). Brightness and contrast clamp the result to [0, 1], as torchvision does
// for float images: augment images in [0, 1] before standardizing them (Preprocessing).
// Invalid values are an Error from make_augmentation naming the field: probabilities outside
// [0, 1], crop_padding < 0, scale range not 0 < scale_min <= scale_max <= 1, rotation < 0,
// translate outside [0, 1], shear outside [0, 90), brightness or contrast < 0.
struct AugmentOptions {
  double horizontal_flip = 0.0;  // probability
  double vertical_flip = 0.0;    // probability
  int64_t crop_padding = 0;      // RandomCrop(size, padding): zero-pad, then crop back to size
  double scale_min = 1.0;        // RandomResizedCrop's area fraction range [scale_min, scale_max]
  double scale_max = 1.0;        //   with aspect ratio in [3/4, 4/3], resized back to H x W
  double rotation = 0.0;         // degrees: uniform in [-rotation, rotation]
  double translate = 0.0;        // fraction of width / height: uniform in [-t, t]
  double shear = 0.0;            // degrees: uniform in [-shear, shear] along x
  double brightness = 0.0;       // factor uniform in [1 - b, 1 + b], multiplies every pixel
  double contrast = 0.0;         // factor uniform in [1 - c, 1 + c] around the image mean
  bool any() const;
};

// A sample transform applying, in this order: resized crop, affine (rotation, translation,
// shear), padded crop, flips, brightness, contrast. Input must be [C, H, W] (an Error
// otherwise, naming the shape); output float32 [C, H, W]. With nothing enabled (!any()) it
// returns the sample as it is, whatever its shape.
//
// Random numbers, drawn from the sample's stream in this fixed order, a disabled transform
// drawing nothing (so enabling one changes only the draws after it):
//   resized crop   (scale_min < 1) torchvision's RandomResizedCrop.get_params: up to 10 tries
//                  of uniform(scale_min, scale_max) for the area fraction then
//                  uniform(log 3/4, log 4/3) for the log aspect ratio; on the first window that
//                  fits, below(H - h + 1) for its top then below(W - w + 1) for its left (after
//                  10 misses, the centre crop clamped to the ratio range, no draw)
//   rotation       (> 0) angle uniform(-rotation, rotation)
//   translate      (> 0) dx = round(uniform(-t W, t W)), then dy = round(uniform(-t H, t H))
//                  (whole pixels, as torchvision's RandomAffine)
//   shear          (> 0) uniform(-shear, shear), along x
//   crop_padding   (> 0) top = below(2p + 1), then left = below(2p + 1)
//   horizontal_flip, then vertical_flip (> 0) uniform() < p
//   brightness, then contrast (> 0) factor uniform(max(0, 1 - b), 1 + b); torchvision's
//                  ColorJitter picks a random order, here it is fixed
SampleTransform make_augmentation(const AugmentOptions& options);

// mixup (Zhang et al. 2018): λ ~ Beta(alpha, alpha) once per batch; inputs λx + (1-λ)x[perm],
// targets λ·onehot(y) + (1-λ)·onehot(y[perm]) as [B, num_classes] float32; alpha > 0.
// Targets may be int64 class indices [B] (each in [0, num_classes), an Error otherwise) or
// probabilities [B, num_classes] already (mixed as they are). Draws from the batch's stream:
// λ first (sample_beta), then the permutation by Fisher-Yates (for i = B-1 down to 1, swap i
// with below(i + 1)). An Error for alpha <= 0 or num_classes < 1 (when made) and for inputs
// that are not float [B, ...] (when applied).
BatchTransform make_mixup(double alpha, int64_t num_classes);

// Gamma(shape, 1) by Marsaglia and Tsang (2000): standard normals and uniforms from `rng`
// until one is accepted; for shape < 1, a Gamma(shape + 1) variate times u^(1/shape) with
// u = 1 - uniform() drawn after it. shape > 0.
double sample_gamma(double shape, RandomStream& rng);
// Beta(a, b) as X / (X + Y), X ~ Gamma(a) drawn before Y ~ Gamma(b); computed from the
// logarithms, so tiny shapes (u^(1/shape) underflowing) still give a value in [0, 1].
double sample_beta(double a, double b, RandomStream& rng);

}  // namespace nabla::data

#pragma GCC visibility pop
