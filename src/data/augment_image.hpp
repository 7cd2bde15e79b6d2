// One image [C, H, W] as float32 planes for the augmentation kernels (augment*.cpp), checked
// once: anything else is an Error naming the operation and the shape.
#pragma once

#include <cstdint>

#include "nabla/error.hpp"
#include "nabla/tensor.hpp"

namespace nabla::data {

struct ImageData {
  ImageData(const Tensor& image, const char* op) {
    NABLA_CHECK(image.defined() && image.dim() == 3 && image.numel() > 0, op,
                ": expected one image [C, H, W] with C, H, W >= 1, got shape ",
                image.defined() ? image.shape() : Shape{},
                "; give grayscale images a channel dim ([1, H, W]), and augment samples, not "
                "batches");
    NABLA_CHECK(is_floating(image.dtype()), op, ": expected a float image, got ", image.dtype(),
                "; convert with .to(DType::f32)");
    data = image.to(Device::CPU).to(DType::f32).contiguous();
    c = image.size(0);
    h = image.size(1);
    w = image.size(2);
  }
  const float* plane(int64_t channel) const { return data.data<float>() + channel * h * w; }
  Shape shape() const { return {c, h, w}; }

  Tensor data;  // float32, contiguous, CPU
  int64_t c = 0, h = 0, w = 0;
};

}  // namespace nabla::data
