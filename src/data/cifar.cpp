// CIFAR-10 / CIFAR-100 binary batches (the "binary version" from the CIFAR page): fixed-size
// records of label byte(s) then 3072 pixel bytes, 1024 per channel in R, G, B order, each
// channel row-major 32 x 32 — already the [3, 32, 32] layout, so a record's pixels are copied
// as they lie.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "nabla/data/dataset.hpp"
#include "nabla/error.hpp"

namespace nabla::data {

namespace {

constexpr int64_t kPixels = 3 * 32 * 32;

struct Layout {
  int64_t label_bytes;   // bytes before the pixels
  int64_t label_offset;  // which of them is the label we keep
  int64_t num_classes;
  const char* name;
};

Layout layout_of(CifarVariant variant) {
  switch (variant) {
    case CifarVariant::cifar10:
      return {1, 0, 10, "CIFAR-10"};
    case CifarVariant::cifar100_fine:
      return {2, 1, 100, "CIFAR-100"};
    case CifarVariant::cifar100_coarse:
      return {2, 0, 20, "CIFAR-100"};
  }
  NABLA_FAIL("read_cifar_binary: unknown CifarVariant ", static_cast<int>(variant));
}

// The number of records in `path`, after checking the file is a whole number of them.
int64_t count_records(const std::string& path, const Layout& layout) {
  std::error_code error;
  const auto bytes = std::filesystem::file_size(path, error);
  NABLA_CHECK(!error, "read_cifar_binary: cannot read '", path, "': ", error.message(),
              "; download the binary version of ", layout.name, " and pass its *.bin files");
  const int64_t record = layout.label_bytes + kPixels;
  const auto size = static_cast<int64_t>(bytes);
  NABLA_CHECK(size > 0 && size % record == 0, "read_cifar_binary: '", path, "' has ", size,
              " bytes, not a positive multiple of the ", record,
              "-byte record: truncated or not a ", layout.name,
              " batch (check the variant, or download the file again)");
  return size / record;
}

}  // namespace

Dataset read_cifar_binary(const std::vector<std::string>& files, CifarVariant variant,
                          int64_t limit) {
  NABLA_CHECK(!files.empty(),
              "read_cifar_binary: no files given; pass the data_batch_*.bin "
              "(CIFAR-10) or train.bin / test.bin (CIFAR-100) paths");
  NABLA_CHECK(limit >= 0, "read_cifar_binary: limit must be >= 0 (0 reads everything), got ",
              limit);
  const Layout layout = layout_of(variant);
  const int64_t record = layout.label_bytes + kPixels;

  // Sizes first, so a bad file fails before gigabytes of good ones are read.
  std::vector<int64_t> take(files.size());
  int64_t total = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    const int64_t records = count_records(files[f], layout);
    take[f] = limit > 0 ? std::min(records, limit - total) : records;
    total += take[f];
  }

  Tensor inputs = empty({total, 3, 32, 32});
  Tensor targets = empty({total}, {.dtype = DType::i64});
  float* pixels = inputs.data<float>();
  int64_t* labels = targets.data<int64_t>();
  std::vector<unsigned char> buffer;
  int64_t row = 0;
  for (size_t f = 0; f < files.size() && row < total; ++f) {
    if (take[f] == 0) continue;
    std::ifstream in(files[f], std::ios::binary);
    NABLA_CHECK(in.good(), "read_cifar_binary: cannot open '", files[f],
                "': ", std::strerror(errno));
    buffer.resize(static_cast<size_t>(take[f] * record));
    in.read(reinterpret_cast<char*>(buffer.data()), static_cast<std::streamsize>(buffer.size()));
    NABLA_CHECK(in.gcount() == static_cast<std::streamsize>(buffer.size()), "read_cifar_binary: '",
                files[f], "' ended after ", in.gcount(), " bytes while ", buffer.size(),
                " were expected; the file changed while being read?");
    for (int64_t r = 0; r < take[f]; ++r, ++row) {
      const unsigned char* at = buffer.data() + r * record;
      const int label = at[layout.label_offset];
      NABLA_CHECK(label < layout.num_classes, "read_cifar_binary: record ", r, " of '", files[f],
                  "' (byte ", r * record + layout.label_offset, ") has label ", label,
                  ", outside [0, ", layout.num_classes, "); the file is corrupt or not a ",
                  layout.name, " batch of this variant");
      labels[row] = label;
      const unsigned char* source = at + layout.label_bytes;
      float* target = pixels + row * kPixels;
      for (int64_t p = 0; p < kPixels; ++p) target[p] = static_cast<float>(source[p]) / 255.0f;
    }
  }
  Dataset data = make_dataset(inputs, targets, layout.num_classes, "read_cifar_binary");
  if (variant == CifarVariant::cifar10)
    data.class_names = {"airplane", "automobile", "bird",  "cat",  "deer",
                        "dog",      "frog",       "horse", "ship", "truck"};
  return data;
}

}  // namespace nabla::data
