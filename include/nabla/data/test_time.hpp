// Test-time augmentation: fixed views of each test image whose predictions are averaged. The
// course notes' recipe is "average a fixed set of crops: 4 corners + centre, + flips"
// (torchvision's FiveCrop / TenCrop). For images trained with a padded random crop
// (augment.crop_padding), the crops are taken from the image zero-padded by `padding` pixels,
// so every view has the training images' size and lies in the training distribution:
//   flip       the image and its mirror (2 views)
//   five_crop  the centre (the image itself) and the four corner crops (5 views)
//   ten_crop   the five crops and their mirrors (10 views)
//
//   for (const Tensor& view : data::test_time_views(images, data::TestTimeViews::ten_crop, 2)) ...
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <string>
#include <vector>

#include "nabla/tensor.hpp"

namespace nabla::data {

enum class TestTimeViews { none, flip, five_crop, ten_crop };
// "none" | "flip" | "five_crop" | "ten_crop"; anything else is an Error naming the choices.
TestTimeViews parse_test_time_views(const std::string& name);
const char* test_time_views_name(TestTimeViews views);
int64_t view_count(TestTimeViews views);  // 1, 2, 5, 10

// The views of a batch of images [N, C, H, W] (float), each [N, C, H, W] float32, the image
// itself first. A crop at offset (dy, dx) of the padded image is the image shifted by
// (-dy, -dx) with zeros shifted in; a mirror flips the crop left to right. padding >= 1 for
// the crops, below H and W.
std::vector<Tensor> test_time_views(const Tensor& images, TestTimeViews views, int64_t padding);

}  // namespace nabla::data

#pragma GCC visibility pop
