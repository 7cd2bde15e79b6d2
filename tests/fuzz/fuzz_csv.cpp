// CSV datasets (data/dataset.hpp, read_csv, libcsv underneath): class labels with a header and
// the last column as the label (the defaults), and without a header, label first, ';' as the
// delimiter; regression with two target columns, skipping bad records; multi-label with a chosen
// feature column; and predict's feature-only read. A file that reads must be a valid dataset
// (or, features only, [N, 2] float32 rows with a line each).
#include "fuzz_support.hpp"

using namespace nabla;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static fuzz::ScratchFile file("csv");
  const std::string& path = file.write(data, size);
  const data::CsvOptions options[] = {
      {},
      {.header = false, .label_column = "0", .delimiter = ';'},
      {.label_columns = {"0", "-1"}, .task = data::Task::regression, .skip_bad_rows = true},
      {.header = false, .label_columns = {"-1"}, .feature_columns = {"0"}, .task = data::Task::multilabel}};
  for (const data::CsvOptions& option : options)
    fuzz::expect_errors_only([&] { fuzz::check_dataset(data::read_csv(path, option), "read_csv"); });
  fuzz::expect_errors_only([&] {
    const data::CsvFeatures rows = data::read_csv_features(path, {}, 2);
    NABLA_FUZZ_CHECK(rows.inputs.dtype() == DType::f32 && rows.inputs.dim() == 2 &&
                         rows.inputs.size(1) == 2 &&
                         static_cast<size_t>(rows.inputs.size(0)) == rows.lines.size(),
                     "read_csv_features: ", rows.inputs.shape(), " for ", rows.lines.size(), " lines");
    fuzz::touch_bytes(rows.inputs);
  });
  return 0;
}
