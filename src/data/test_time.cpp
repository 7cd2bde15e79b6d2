#include "nabla/data/test_time.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "nabla/error.hpp"
#include "nabla/ops.hpp"

namespace nabla::data {

namespace {

constexpr std::array<std::pair<TestTimeViews, const char*>, 4> kNames = {{
    {TestTimeViews::none, "none"},
    {TestTimeViews::flip, "flip"},
    {TestTimeViews::five_crop, "five_crop"},
    {TestTimeViews::ten_crop, "ten_crop"},
}};

// out[n, c, y, x] = images[n, c, y + dy, (mirror ? W - 1 - x : x) + dx], zero outside.
Tensor shifted(const Tensor& images, int64_t dy, int64_t dx, bool mirror) {
  const int64_t planes = images.size(0) * images.size(1), h = images.size(2), w = images.size(3);
  Tensor out = zeros(images.shape(), {.dtype = DType::f32});
  const float* src = images.data<float>();
  float* dst = out.data<float>();
  for (int64_t p = 0; p < planes; ++p)
    for (int64_t y = 0; y < h; ++y) {
      const int64_t sy = y + dy;
      if (sy < 0 || sy >= h) continue;
      const float* row = src + (p * h + sy) * w;
      float* out_row = dst + (p * h + y) * w;
      for (int64_t x = 0; x < w; ++x) {
        const int64_t sx = (mirror ? w - 1 - x : x) + dx;
        if (sx >= 0 && sx < w) out_row[x] = row[sx];
      }
    }
  return out;
}

}  // namespace

TestTimeViews parse_test_time_views(const std::string& name) {
  for (const auto& [views, text] : kNames)
    if (name == text) return views;
  NABLA_FAIL("test-time augmentation '", name, "' is unknown; choose none, flip, five_crop or ten_crop");
}

const char* test_time_views_name(TestTimeViews views) {
  for (const auto& [candidate, text] : kNames)
    if (candidate == views) return text;
  return "?";
}

int64_t view_count(TestTimeViews views) {
  switch (views) {
    case TestTimeViews::none: return 1;
    case TestTimeViews::flip: return 2;
    case TestTimeViews::five_crop: return 5;
    case TestTimeViews::ten_crop: return 10;
  }
  return 1;
}

std::vector<Tensor> test_time_views(const Tensor& images, TestTimeViews views, int64_t padding) {
  NABLA_CHECK(images.defined() && images.dim() == 4 && is_floating(images.dtype()),
              "test-time augmentation: expected float images [N, C, H, W], got ",
              images.defined() ? images.shape() : Shape{}, " ", images.defined() ? images.dtype() : DType::f32,
              "; flips and crops apply to images only");
  const bool crops = views == TestTimeViews::five_crop || views == TestTimeViews::ten_crop;
  NABLA_CHECK(!crops || (padding >= 1 && padding < images.size(2) && padding < images.size(3)),
              "test-time augmentation: ", test_time_views_name(views), " needs a padding of 1 to ",
              std::min(images.size(2), images.size(3)) - 1, " pixels for ", images.size(2), "x",
              images.size(3), " images, got ", padding,
              "; use the training's augment.crop_padding (2 is usual for 28x28)");
  const Tensor source = images.to(Device::CPU).to(DType::f32).contiguous();
  std::vector<std::pair<int64_t, int64_t>> offsets = {{0, 0}};
  if (crops)
    for (const int64_t dy : {-padding, padding})
      for (const int64_t dx : {-padding, padding}) offsets.emplace_back(dy, dx);
  const bool mirrors = views == TestTimeViews::flip || views == TestTimeViews::ten_crop;
  std::vector<Tensor> out;
  for (const bool mirror : {false, true}) {
    if (mirror && !mirrors) break;
    for (const auto& [dy, dx] : offsets)
      out.push_back(dy == 0 && dx == 0 && !mirror ? source : shifted(source, dy, dx, mirror));
  }
  return out;
}

}  // namespace nabla::data
