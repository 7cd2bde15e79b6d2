// Multi-label images from a classification set: each sample is two of its images side by side,
// labelled with the classes of both (one label when they share a class). The model must say
// which classes appear, not which one: the multi-label task of "what is in this picture".
#include <cstring>

#include "nabla/data/dataset.hpp"
#include "nabla/error.hpp"
#include "nabla/random.hpp"

namespace nabla::data {

namespace {
constexpr uint64_t kPairStream = 0x5B1D'1000'0000'0000ull;  // apart from the splits' stream
}  // namespace

Dataset image_pairs(const Dataset& images, int64_t count, uint64_t seed) {
  NABLA_CHECK(images.task == Task::classification && images.size() >= 1 &&
                  images.inputs.dim() == 4,
              "image_pairs: needs a classification set of images [N, C, H, W], got inputs of shape ",
              images.inputs.defined() ? images.inputs.shape() : Shape{});
  NABLA_CHECK(count >= 1, "image_pairs: count must be >= 1, got ", count);
  const int64_t channels = images.inputs.size(1), height = images.inputs.size(2),
                width = images.inputs.size(3), classes = images.num_classes;
  const Tensor source = images.inputs.contiguous();
  const float* pixels = source.data<float>();
  const int64_t* labels = images.targets.data<int64_t>();
  Tensor inputs = empty({count, channels, height, 2 * width});
  Tensor targets = zeros({count, classes});
  float* out = inputs.data<float>();
  float* hot = targets.data<float>();
  RandomStream rng(seed, kPairStream);
  const auto n = static_cast<uint64_t>(images.size());
  for (int64_t i = 0; i < count; ++i) {
    const auto left = static_cast<int64_t>(rng.below(n)), right = static_cast<int64_t>(rng.below(n));
    for (int64_t c = 0; c < channels; ++c)
      for (int64_t y = 0; y < height; ++y) {
        float* row = out + ((i * channels + c) * height + y) * 2 * width;
        std::memcpy(row, pixels + ((left * channels + c) * height + y) * width, width * sizeof(float));
        std::memcpy(row + width, pixels + ((right * channels + c) * height + y) * width,
                    width * sizeof(float));
      }
    hot[i * classes + labels[left]] = 1.0f;
    hot[i * classes + labels[right]] = 1.0f;
  }
  return make_target_dataset(inputs, targets, Task::multilabel, images.class_names, "image_pairs");
}

}  // namespace nabla::data
