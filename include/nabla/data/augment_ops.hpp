// The deterministic image operations behind make_augmentation (augment.hpp), on one image
// [C, H, W] (any float dtype in, float32 out, same shape unless said otherwise). Coordinates:
// x to the right along W, y down along H, pixel (i, j) at its centre.
//
// Geometric operations map each output pixel back to the source (inverse mapping) and sample
// it bilinearly; source points outside the image read 0 (torch's grid_sample with
// padding_mode "zeros", align_corners false, as torchvision's F.affine for tensors with
// interpolation BILINEAR and no fill). They turn about the image centre ((W-1)/2, (H-1)/2)
// in pixel indices, as torchvision does. Two torchvision details are not copied: RandomAffine
// defaults to NEAREST, and with an explicit fill it also scales edge pixels by the share of
// their bilinear weights that fell inside the image.
//
//   Tensor r = data::rotate(image, 90);        // counter-clockwise as displayed (F.rotate)
//   Tensor t = data::translate(image, 2, -1);  // content moves 2 px right and 1 px up
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>

#include "nabla/tensor.hpp"

namespace nabla::data {

// torchvision's F.affine(img, angle, translate=[dx, dy], scale=1, shear=[shear_x, 0]):
// angle in degrees, clockwise as displayed (F.affine's sign); dx, dy in pixels; shear_x in
// degrees parallel to the x axis.
Tensor affine(const Tensor& image, double angle, double dx, double dy, double shear_x);
// F.rotate: counter-clockwise as displayed, about the centre, same size (no expand).
Tensor rotate(const Tensor& image, double degrees);
// Moves the content by (dx, dy) pixels; integer shifts are exact, with zeros entering.
Tensor translate(const Tensor& image, double dx, double dy);
// Shear parallel to the x axis by `degrees` (F.affine with shear=[degrees, 0]).
Tensor shear(const Tensor& image, double degrees);

// torchvision's F.resized_crop: the window rows [top, top + height), columns
// [left, left + width) (inside the image; an Error otherwise), resized back to H x W with
// bilinear interpolation as F.interpolate(align_corners=False), which replicates the window's
// edge rather than reading outside it.
Tensor resized_crop(const Tensor& image, int64_t top, int64_t left, int64_t height, int64_t width);
// The whole image [C, H, W] resized to height x width with the same bilinear interpolation
// (torchvision's Resize with antialias=False); an unchanged size returns a copy.
Tensor resize(const Tensor& image, int64_t height, int64_t width);

// RandomCrop(size=(H, W), padding=p) for given offsets: zero-pad by p on every side, then keep
// the H x W window at (top, left), each in [0, 2p].
Tensor padded_crop(const Tensor& image, int64_t padding, int64_t top, int64_t left);

Tensor horizontal_flip(const Tensor& image);  // mirrors W
Tensor vertical_flip(const Tensor& image);    // mirrors H

// torchvision's adjust_brightness for float images: clamp(factor * x, 0, 1).
Tensor adjust_brightness(const Tensor& image, double factor);
// adjust_contrast: clamp(factor * x + (1 - factor) * m, 0, 1), m the mean of the image's
// grayscale (0.2989 R + 0.587 G + 0.114 B) for 3 channels, the mean of all values otherwise.
Tensor adjust_contrast(const Tensor& image, double factor);

}  // namespace nabla::data

#pragma GCC visibility pop
