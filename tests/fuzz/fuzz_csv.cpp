// Numeric CSV datasets (data/dataset.hpp, read_csv): with a header and the last column as the
// label (the defaults), and without a header, label first, ';' as the delimiter. A file that
// reads must be a valid dataset.
#include "fuzz_support.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile file("csv");
  const std::string& path = file.write(data, size);
  const data::CsvOptions options[] = {
      {}, {.header = false, .label_column = "0", .delimiter = ';'}};
  for (const data::CsvOptions& option : options)
    fuzz::expect_errors_only([&] { fuzz::check_dataset(data::read_csv(path, option), "read_csv"); });
  return 0;
}
