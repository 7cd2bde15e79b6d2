// Image files (data/image.hpp, decode_image): PNG through libpng, JPEG through TurboJPEG, told
// apart by their first bytes. An image that decodes must be [1 or 3, H, W] float32 in [0, 1].
#include "fuzz_support.hpp"
#include "nabla/data/image.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return fuzz::expect_errors_only([&] {
    const Tensor image =
        data::decode_image(std::string(reinterpret_cast<const char*>(data), size), "<fuzz>");
    NABLA_FUZZ_CHECK(image.dtype() == DType::f32 && image.dim() == 3 &&
                         (image.size(0) == 1 || image.size(0) == 3) && image.numel() > 0,
                     "decode_image gave ", image.dtype(), " ", image.shape());
    const Tensor pixels = image.contiguous();
    const float* value = pixels.data<float>();
    for (int64_t i = 0; i < pixels.numel(); ++i)
      NABLA_FUZZ_CHECK(value[i] >= 0.0f && value[i] <= 1.0f, "pixel ", i, " is ", value[i]);
  });
}
