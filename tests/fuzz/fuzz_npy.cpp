// .npy arrays (data/npy.hpp, read_npy). A file that reads must give a tensor of float32,
// float64 or int64 whose bytes can all be read, and write back (write_npy) to a file that
// reads to the same tensor.
#include "fuzz_support.hpp"
#include "nabla/data/npy.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile file("npy");
  static fuzz::ScratchFile copy("npy_copy");
  const std::string& path = file.write(data, size);
  fuzz::expect_errors_only([&] {
    const Tensor array = data::read_npy(path);
    NABLA_FUZZ_CHECK(array.dtype() == DType::f32 || array.dtype() == DType::f64 ||
                         array.dtype() == DType::i64,
                     "read_npy gave ", array.dtype());
    fuzz::touch_bytes(array);
    const std::string& again = copy.path();
    data::write_npy(again, array);
    const Tensor back = fuzz::must_succeed("reading what write_npy wrote",
                                           [&] { return data::read_npy(again); });
    NABLA_FUZZ_CHECK(fuzz::same_tensor(back, array), "write_npy then read_npy changed ",
                     array.shape(), " ", array.dtype());
  });
  return 0;
}
