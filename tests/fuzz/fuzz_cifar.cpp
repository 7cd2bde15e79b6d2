// CIFAR binary batches (data/dataset.hpp, read_cifar_binary) as CIFAR-10 and as CIFAR-100 fine
// and coarse labels. A batch that reads must be a valid dataset of 3 x 32 x 32 images, and
// limit = 1 must give its first record.
#include "fuzz_support.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile file("cifar");
  const std::vector<std::string> files = {file.write(data, size)};
  for (const auto variant : {data::CifarVariant::cifar10, data::CifarVariant::cifar100_fine,
                             data::CifarVariant::cifar100_coarse}) {
    fuzz::expect_errors_only([&] {
      const data::Dataset whole = data::read_cifar_binary(files, variant);
      fuzz::check_dataset(whole, "read_cifar_binary");
      NABLA_FUZZ_CHECK(whole.sample_shape() == Shape({3, 32, 32}), "CIFAR samples of shape ",
                       whole.sample_shape());
      if (whole.size() == 0) return;
      const data::Dataset first = fuzz::must_succeed(
          "the first record of a batch that reads whole",
          [&] { return data::read_cifar_binary(files, variant, 1); });
      NABLA_FUZZ_CHECK(fuzz::same_tensor(first.inputs, whole.inputs.slice(0, 0, 1)) &&
                           fuzz::same_tensor(first.targets, whole.targets.slice(0, 0, 1)),
                       "limit = 1 did not give the first record");
    });
  }
  return 0;
}
