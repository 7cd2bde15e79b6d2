// Augmentation (src/data/augment*.cpp): the deterministic image operations of augment_ops.hpp
// against exact expectations, make_augmentation's documented draw order replayed with the
// primitives, determinism per stream, and the errors.
#include "nabla/data/augment.hpp"

#include <gmock/gmock.h>

#include <cmath>
#include <functional>

#include "nabla/data/augment_ops.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;
using data::AugmentOptions;

namespace {

// [channels, h, w] float32 with values 0.1 * (1 + index): distinct, positive, some above 1.
Tensor ramp(int64_t channels, int64_t h, int64_t w) {
  return (arange(1.0, static_cast<double>(channels * h * w + 1)) * 0.1).reshape({channels, h, w});
}

// Values in [0, 1), as images reach the augmentation.
Tensor unit_image(int64_t channels, int64_t h, int64_t w, uint64_t seed) {
  manual_seed(seed);
  return rand({channels, h, w});
}

// out[c][i][j] = in[c][i - dy][j - dx], 0 outside: content moved by (dx, dy).
Tensor shifted(const Tensor& in, int64_t dx, int64_t dy) {
  const int64_t c = in.size(0), h = in.size(1), w = in.size(2);
  const std::vector<float> v = in.to_vector<float>();
  std::vector<float> out(v.size(), 0.0f);
  for (int64_t k = 0; k < c; ++k)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j) {
        const int64_t si = i - dy, sj = j - dx;
        if (si >= 0 && si < h && sj >= 0 && sj < w)
          out[(k * h + i) * w + j] = v[(k * h + si) * w + sj];
      }
  return from_vector(out, {c, h, w});
}

// make_augmentation's documented draws and order (augment.hpp), replayed with the primitives.
Tensor replay(const AugmentOptions& o, const Tensor& image, RandomStream& rng) {
  Tensor x = image;
  const int64_t h = image.size(1), w = image.size(2);
  if (o.scale_min < 1) {
    int64_t top = -1, left = 0, ch = h, cw = w;
    for (int attempt = 0; attempt < 10 && top < 0; ++attempt) {
      const double area = h * w * rng.uniform(o.scale_min, o.scale_max);
      const double ratio = std::exp(rng.uniform(std::log(3.0 / 4), std::log(4.0 / 3)));
      cw = static_cast<int64_t>(std::nearbyint(std::sqrt(area * ratio)));
      ch = static_cast<int64_t>(std::nearbyint(std::sqrt(area / ratio)));
      if (cw > 0 && cw <= w && ch > 0 && ch <= h) {
        top = static_cast<int64_t>(rng.below(h - ch + 1));
        left = static_cast<int64_t>(rng.below(w - cw + 1));
      }
    }
    if (top < 0) top = 0, left = 0, ch = h, cw = w;  // square images: the whole image
    x = data::resized_crop(x, top, left, ch, cw);
  }
  if (o.rotation > 0 || o.translate > 0 || o.shear > 0) {
    const double angle = o.rotation > 0 ? rng.uniform(-o.rotation, o.rotation) : 0;
    double dx = 0, dy = 0;
    if (o.translate > 0) {
      dx = std::nearbyint(rng.uniform(-o.translate * w, o.translate * w));
      dy = std::nearbyint(rng.uniform(-o.translate * h, o.translate * h));
    }
    const double shear = o.shear > 0 ? rng.uniform(-o.shear, o.shear) : 0;
    x = data::affine(x, angle, dx, dy, shear);
  }
  if (o.crop_padding > 0) {
    const int64_t top = static_cast<int64_t>(rng.below(2 * o.crop_padding + 1));
    const int64_t left = static_cast<int64_t>(rng.below(2 * o.crop_padding + 1));
    x = data::padded_crop(x, o.crop_padding, top, left);
  }
  if (o.horizontal_flip > 0 && rng.uniform() < o.horizontal_flip) x = data::horizontal_flip(x);
  if (o.vertical_flip > 0 && rng.uniform() < o.vertical_flip) x = data::vertical_flip(x);
  if (o.brightness > 0)
    x = data::adjust_brightness(x, rng.uniform(std::max(0.0, 1 - o.brightness), 1 + o.brightness));
  if (o.contrast > 0)
    x = data::adjust_contrast(x, rng.uniform(std::max(0.0, 1 - o.contrast), 1 + o.contrast));
  return x;
}

const AugmentOptions kEverything{.horizontal_flip = 0.5,
                                 .vertical_flip = 0.5,
                                 .crop_padding = 2,
                                 .scale_min = 0.5,
                                 .scale_max = 0.9,
                                 .rotation = 15,
                                 .translate = 0.2,
                                 .shear = 10,
                                 .brightness = 0.3,
                                 .contrast = 0.3};

}  // namespace

TEST(Augment, DefaultOptionsLeaveTheSampleUnchanged) {
  EXPECT_FALSE(AugmentOptions{}.any());
  const auto augment = data::make_augmentation({});
  RandomStream rng(1, 2);
  const Tensor image = unit_image(3, 5, 5, 1);
  EXPECT_TRUE(equal(augment(image, rng), image));
  const Tensor row = randn({7});  // nothing enabled: any shape passes through
  EXPECT_TRUE(equal(augment(row, rng), row));
}

TEST(Augment, FlipWithProbabilityOneMirrorsExactly) {
  const Tensor image = ramp(2, 3, 4);
  RandomStream rng(1, 2);
  const Tensor h = data::make_augmentation({.horizontal_flip = 1.0})(image, rng);
  const Tensor v = data::make_augmentation({.vertical_flip = 1.0})(image, rng);
  const auto in = image.to_vector<float>(), hv = h.to_vector<float>(), vv = v.to_vector<float>();
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t i = 0; i < 3; ++i)
      for (int64_t j = 0; j < 4; ++j) {
        EXPECT_EQ(hv[(c * 3 + i) * 4 + j], in[(c * 3 + i) * 4 + (3 - j)]);
        EXPECT_EQ(vv[(c * 3 + i) * 4 + j], in[(c * 3 + (2 - i)) * 4 + j]);
      }
}

TEST(Augment, QuarterTurnsAreExactTransposesAndFlips) {
  for (int64_t n : {5, 4}) {
    SCOPED_TRACE(n);
    const Tensor image = ramp(2, n, n);
    const Tensor transposed = image.transpose(1, 2).contiguous();
    // Counter-clockwise as displayed: the right column becomes the top row.
    EXPECT_TRUE(equal(data::rotate(image, 90), data::vertical_flip(transposed)));
    EXPECT_TRUE(equal(data::rotate(image, -90), data::horizontal_flip(transposed)));
    EXPECT_TRUE(equal(data::rotate(image, 180), data::vertical_flip(data::horizontal_flip(image))));
    EXPECT_TRUE(equal(data::rotate(image, 360), image));
    EXPECT_TRUE(equal(data::rotate(image, 0), image));
  }
}

TEST(Augment, RotationSamplesBilinearlyAboutTheCentre) {
  const Tensor image = ramp(1, 3, 3);
  const auto in = image.to_vector<float>();
  // Output (row 0, col 1) is x = 0, y = -1 from the centre; turning it back by 45 degrees
  // lands at x = sin 45, y = -cos 45, i.e. pixel (0.2929, 1.7071).
  const double s = std::sqrt(0.5), ly = 1 - s, lx = s;
  const double expected =
      (1 - ly) * ((1 - lx) * in[1] + lx * in[2]) + ly * ((1 - lx) * in[4] + lx * in[5]);
  EXPECT_NEAR(data::rotate(image, 45).to_vector<float>()[1], expected, 1e-6);
  // The centre pixel never moves.
  EXPECT_FLOAT_EQ(data::rotate(image, 33).to_vector<float>()[4], in[4]);
}

TEST(Augment, IntegerTranslationShiftsExactlyWithZerosEntering) {
  const Tensor image = ramp(2, 4, 5);
  EXPECT_TRUE(equal(data::translate(image, 2, -1), shifted(image, 2, -1)));
  EXPECT_TRUE(equal(data::translate(image, -3, 2), shifted(image, -3, 2)));
  EXPECT_TRUE(equal(data::translate(image, 0, 0), image));
  EXPECT_TRUE(equal(data::translate(image, 9, 0), zeros({2, 4, 5})));
}

TEST(Augment, ShearShiftsEachRowByItsDistanceFromTheCentre) {
  // Shear 45 degrees along x: output row y (from the centre) reads the source at x + y.
  const Tensor image = ramp(1, 5, 5);
  const Tensor out = data::shear(image, 45);
  std::vector<Tensor> rows;
  for (int64_t i = 0; i < 5; ++i) rows.push_back(shifted(image, -(i - 2), 0).slice(1, i, i + 1));
  EXPECT_TRUE(all_close(out, cat(rows, 1), 0, 1e-6));
}

TEST(Augment, ResizedCropInterpolatesAsTorch) {
  const Tensor image = ramp(2, 4, 4);
  EXPECT_TRUE(equal(data::resized_crop(image, 0, 0, 4, 4), image));
  // A 1 x 2 window stretched to 4 x 4: F.interpolate(bilinear, align_corners=False) gives
  // [a, .75a + .25b, .25a + .75b, b] on every row (the edge replicated, never read outside).
  const auto in = image.to_vector<float>();
  const auto out = data::resized_crop(image, 1, 2, 1, 2).to_vector<float>();
  for (int64_t c = 0; c < 2; ++c) {
    const double a = in[c * 16 + 4 + 2], b = in[c * 16 + 4 + 3];
    const double expected[4] = {a, 0.75 * a + 0.25 * b, 0.25 * a + 0.75 * b, b};
    for (int64_t i = 0; i < 4; ++i)
      for (int64_t j = 0; j < 4; ++j) EXPECT_NEAR(out[c * 16 + i * 4 + j], expected[j], 1e-6);
  }
  EXPECT_TRUE(throws_error_containing([&] { data::resized_crop(image, 3, 0, 2, 2); },
                                      {"resized_crop", "top 3", "not inside"}));
}

TEST(Augment, PaddedCropKeepsTheShapeAndShowsAShiftedWindow) {
  const Tensor image = ramp(1, 6, 6);
  EXPECT_TRUE(equal(data::padded_crop(image, 2, 2, 2), image));
  EXPECT_TRUE(equal(data::padded_crop(image, 2, 0, 4), shifted(image, -2, 2)));
  const auto augment = data::make_augmentation({.crop_padding = 2});
  for (uint64_t stream = 0; stream < 20; ++stream) {
    RandomStream rng(5, stream);
    const Tensor out = augment(image, rng);
    ASSERT_EQ(out.shape(), image.shape());
    int matches = 0;
    for (int64_t dy = -2; dy <= 2; ++dy)
      for (int64_t dx = -2; dx <= 2; ++dx) matches += equal(out, shifted(image, dx, dy));
    EXPECT_EQ(matches, 1) << "stream " << stream;
  }
}

TEST(Augment, BrightnessAndContrastFollowTorchvision) {
  const Tensor image = unit_image(1, 4, 4, 3);
  EXPECT_TRUE(
      all_close(data::adjust_brightness(image, 1.5), clamp(image * 1.5, 0.0, 1.0), 0, 1e-6));
  const double m = mean(image.to(DType::f64)).item();
  EXPECT_TRUE(all_close(data::adjust_contrast(image, 1.7),
                        clamp(image * 1.7 + (1 - 1.7) * m, 0.0, 1.0), 0, 1e-6));
  // Three channels blend towards the mean of the grayscale, not of all values.
  const Tensor rgb = unit_image(3, 4, 4, 4);
  const Tensor gray =
      0.2989 * rgb.slice(0, 0, 1) + 0.587 * rgb.slice(0, 1, 2) + 0.114 * rgb.slice(0, 2, 3);
  const double g = mean(gray.to(DType::f64)).item();
  EXPECT_TRUE(
      all_close(data::adjust_contrast(rgb, 0.5), clamp(rgb * 0.5 + 0.5 * g, 0.0, 1.0), 0, 1e-6));
}

TEST(Augment, DrawsInTheDocumentedOrder) {
  const Tensor image = unit_image(3, 8, 8, 5);
  const std::vector<AugmentOptions> cases = {kEverything,
                                             {.brightness = 0.5},
                                             {.crop_padding = 1, .rotation = 30},
                                             {.horizontal_flip = 0.5, .contrast = 0.4},
                                             {.scale_min = 0.08, .scale_max = 1.0},
                                             {.translate = 0.3, .shear = 20}};
  for (size_t k = 0; k < cases.size(); ++k)
    for (uint64_t stream = 0; stream < 10; ++stream) {
      RandomStream a(11, stream), b(11, stream);
      const Tensor out = data::make_augmentation(cases[k])(image, a);
      EXPECT_TRUE(equal(out, replay(cases[k], image, b))) << "case " << k << ", stream " << stream;
      EXPECT_EQ(a.uniform(), b.uniform()) << "the same number of draws, case " << k;
    }
}

TEST(Augment, SameStreamSameOutputOtherStreamOtherOutput) {
  const auto augment = data::make_augmentation(kEverything);
  const Tensor image = unit_image(1, 8, 8, 6);
  RandomStream first(3, 9), again(3, 9), other(3, 10);
  const Tensor out = augment(image, first);
  EXPECT_EQ(out.shape(), image.shape());
  EXPECT_EQ(out.dtype(), DType::f32);
  EXPECT_TRUE(equal(augment(image, again), out));
  EXPECT_FALSE(equal(augment(image, other), out));
}

TEST(Augment, RejectsImagesWithoutChannels) {
  RandomStream rng(1, 1);
  const auto augment = data::make_augmentation({.horizontal_flip = 0.5});
  EXPECT_TRUE(throws_error_containing(
      [&] {
        augment(randn({28, 28}), rng);
      },
      {"make_augmentation", "[C, H, W]", "[28, 28]", "[1, H, W]"}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        augment(randn({2, 1, 4, 4}), rng);
      },
      {"[2, 1, 4, 4]"}));
  EXPECT_TRUE(throws_error_containing([] { data::rotate(randn({5, 5}), 10); }, {"[5, 5]"}));
}

TEST(Augment, RejectsInvalidOptionsNamingTheField) {
  const std::vector<std::pair<AugmentOptions, std::string>> cases = {
      {{.horizontal_flip = -0.1}, "horizontal_flip"},
      {{.vertical_flip = 1.5}, "vertical_flip"},
      {{.crop_padding = -1}, "crop_padding"},
      {{.scale_min = 0.9, .scale_max = 0.5}, "scale_min"},
      {{.scale_min = 0.0, .scale_max = 0.5}, "scale_min"},
      {{.scale_min = 0.5, .scale_max = 1.5}, "scale_max"},
      {{.rotation = -5}, "rotation"},
      {{.translate = 1.5}, "translate"},
      {{.shear = 90}, "shear"},
      {{.brightness = -0.2}, "brightness"},
      {{.contrast = std::nan("")}, "contrast"}};
  for (const auto& [options, field] : cases)
    EXPECT_TRUE(throws_error_containing([&o = options] { data::make_augmentation(o); },
                                        {"AugmentOptions." + field}))
        << field;
}
