// IDX (data/idx.hpp), plain or gzip-compressed, read as float32, float64 and int64 (labels).
// A file that reads whole must also give its first row alone (max_rows = 1), equal to the
// whole read's first row.
#include "fuzz_support.hpp"
#include "nabla/data/idx.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile file("idx");
  const std::string& path = file.write(data, size);
  for (const DType dtype : {DType::f32, DType::f64, DType::i64}) {
    fuzz::expect_errors_only([&] {
      const Tensor whole = data::read_idx(path, dtype);
      NABLA_FUZZ_CHECK(whole.dtype() == dtype, "read_idx gave ", whole.dtype(), " for ", dtype);
      fuzz::touch_bytes(whole);
      if (whole.dim() == 0 || whole.size(0) == 0) return;
      const Tensor first = fuzz::must_succeed("the first row of a file that reads whole",
                                              [&] { return data::read_idx(path, dtype, 1); });
      NABLA_FUZZ_CHECK(fuzz::same_tensor(first, whole.slice(0, 0, 1)),
                       "max_rows = 1 gave ", first.shape(), ", not the first row of ",
                       whole.shape());
    });
  }
  return 0;
}
