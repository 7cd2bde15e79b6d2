// CSV datasets. libcsv (RFC 4180, strict mode) splits the records; this file picks the columns,
// parses numbers with std::from_chars (no allocation, no locale) and turns the target cells
// into the task's targets. The text is fed to libcsv one line at a time, so every record knows
// the line it began on and errors point at file:line:column (1-based, as compilers do; the
// column is the field's position in the record).
#include <csv.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string_view>

#include "nabla/data/dataset.hpp"
#include "nabla/error.hpp"

namespace nabla::data {

namespace {

std::string read_all(const std::string& path) {
  NABLA_CHECK(std::filesystem::is_regular_file(path), "read_csv: file '", path,
              "' does not exist or is not a regular file");
  std::ifstream in(path, std::ios::binary);
  NABLA_CHECK(in.good(), "read_csv: cannot open '", path, "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A record as libcsv gave it, and the line its first field ended on.
struct Record {
  std::vector<std::string> fields;
  size_t line = 0;
};

// Calls `on_record` for every record of `text` (blank lines skipped); malformed quoting is an
// Error naming the line.
template <class OnRecord>
void for_each_record(std::string_view text, char delimiter, const std::string& path,
                     OnRecord on_record) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM (Excel)
  struct Parser {
    csv_parser parser{};
    Parser() {
      NABLA_CHECK(csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) == 0,
                  "read_csv: libcsv could not start");
    }
    ~Parser() { csv_free(&parser); }
  } p;
  csv_set_delim(&p.parser, static_cast<unsigned char>(delimiter));
  // An exception must not unwind through libcsv's C frames: the callback keeps it, and it is
  // thrown again once csv_parse has returned.
  struct Sink {
    Record record;
    size_t line = 1;
    OnRecord* on_record;
    std::exception_ptr error;
  } sink{{}, 1, &on_record, nullptr};
  const auto on_field = [](void* data, size_t size, void* user) {
    auto& s = *static_cast<Sink*>(user);
    if (s.record.fields.empty()) s.record.line = s.line;
    s.record.fields.emplace_back(static_cast<const char*>(data), data ? size : 0);
  };
  const auto on_end = [](int, void* user) {
    auto& s = *static_cast<Sink*>(user);
    if (!s.error) try {
        (*s.on_record)(s.record);
      } catch (...) {
        s.error = std::current_exception();
      }
    s.record.fields.clear();
  };
  size_t start = 0;
  while (start < text.size()) {
    const size_t newline = text.find('\n', start);
    const size_t end = newline == std::string_view::npos ? text.size() : newline + 1;
    const size_t parsed = csv_parse(&p.parser, text.data() + start, end - start, on_field, on_end, &sink);
    if (sink.error) std::rethrow_exception(sink.error);
    if (parsed != end - start)
      NABLA_FAIL(path, ":", sink.line, ": malformed CSV (", csv_strerror(csv_error(&p.parser)),
                 "): a quote inside a field must be doubled (\"\") and the field quoted; "
                 "delimiter '", delimiter, "'");
    ++sink.line;
    start = end;
  }
  const int closed = csv_fini(&p.parser, on_field, on_end, &sink);
  if (sink.error) std::rethrow_exception(sink.error);
  if (closed != 0)
    NABLA_FAIL(path, ":", sink.record.line, ": a quoted field is not closed before the end of "
               "the file");
}

bool parse_double(std::string_view cell, double& value) {
  // from_chars takes no leading '+'; spreadsheets write one.
  if (cell.size() > 1 && cell[0] == '+' && cell[1] != '-') cell.remove_prefix(1);
  const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
  return !cell.empty() && error == std::errc() && end == cell.data() + cell.size();
}

bool is_class_index(double value) {
  return value >= 0 && value == std::floor(value) && value < static_cast<double>(kMaxClasses);
}

// The column a name or index text means: a header name first, else an integer (negative from
// the end).
size_t column_index(const std::string& path, const std::string& text,
                    const std::vector<std::string>& header, size_t columns, const char* role) {
  for (size_t c = 0; c < header.size(); ++c)
    if (header[c] == text) return c;
  int64_t index = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), index);
  if (error != std::errc() || end != text.data() + text.size()) {
    std::ostringstream names;
    for (size_t c = 0; c < header.size(); ++c) names << (c ? ", " : "") << "'" << header[c] << "'";
    NABLA_FAIL("read_csv: '", path, "' has no column named '", text, "'",
               header.empty() ? std::string(" (the file is read without a header)")
                              : "; its header names " + names.str(),
               "; give one of those names or a 0-based column index such as -1 for the last");
  }
  const auto count = static_cast<int64_t>(columns);
  NABLA_CHECK(index >= -count && index < count, "read_csv: ", role, " column ", index, " of '",
              path, "' is outside the ", count, " columns; use an index in [", -count, ", ",
              count, ")");
  return static_cast<size_t>(index < 0 ? index + count : index);
}

// Reads record by record; a bad record throws, or is counted and dropped with skip_bad_rows.
class CsvReader {
 public:
  // expected_features > 0: only the features are read (predict's inputs); target columns the
  // file lacks are left out, and there must be that many feature columns.
  CsvReader(const std::string& path, const CsvOptions& options, int64_t expected_features = 0)
      : path_(path), options_(options), expected_features_(expected_features) {}

  void add(const Record& record) {
    if (columns_ == 0) {
      choose_columns(record);
      if (options_.header) return;
    }
    try {
      add_row(record);
    } catch (const Error&) {
      if (!options_.skip_bad_rows) throw;
      ++skipped_;
    }
  }

  // The features [rows, F] and the line each row began on.
  CsvFeatures features() const {
    check_rows();
    return {from_vector(inputs_, {static_cast<int64_t>(rows_), static_cast<int64_t>(features_.size())}),
            row_lines_};
  }

  Dataset finish(int64_t* skipped_rows) {
    check_rows();
    if (skipped_rows != nullptr) *skipped_rows = skipped_;
    const auto rows = static_cast<int64_t>(rows_), features = static_cast<int64_t>(features_.size());
    const Tensor inputs = from_vector(inputs_, {rows, features});
    const std::string what = "read_csv('" + path_ + "')";
    if (options_.task != Task::classification) {
      std::vector<std::string> names;
      if (options_.header)
        for (size_t c : targets_) names.push_back(header_[c]);
      return make_target_dataset(inputs, from_vector(values_, {rows, static_cast<int64_t>(targets_.size())}),
                                 options_.task, names, what);
    }
    return classes(inputs, what);
  }

 private:
  void check_rows() const {
    NABLA_CHECK(rows_ > 0, "read_csv: '", path_, "' has no data rows",
                options_.header ? " below its header" : "",
                skipped_ > 0 ? " that could be read (" + std::to_string(skipped_) + " skipped)" : "",
                "; is it the right file?");
  }

  // Whether target column `text` is in the file (features-only reads may lack it): a header
  // name that is there, or an index when the file has the features and every target.
  bool has_target(const std::string& text, size_t targets) const {
    if (expected_features_ == 0) return true;
    if (std::find(header_.begin(), header_.end(), text) != header_.end()) return true;
    const bool is_index = !text.empty() && text.find_first_not_of("-0123456789") == std::string::npos;
    return is_index && columns_ == static_cast<size_t>(expected_features_) + targets;
  }

  void choose_columns(const Record& first) {
    columns_ = first.fields.size();
    if (options_.header) header_ = first.fields;
    const std::vector<std::string> targets =
        options_.label_columns.empty() ? std::vector<std::string>{options_.label_column}
                                       : options_.label_columns;
    NABLA_CHECK(options_.task != Task::classification || targets.size() == 1, "read_csv: ",
                targets.size(), " label columns given for classification, which reads one; "
                "several 0/1 columns are the multilabel task");
    for (const std::string& t : targets)
      if (has_target(t, targets.size()))
        targets_.push_back(column_index(path_, t, header_, columns_, "label"));
    for (const std::string& f : options_.feature_columns)
      features_.push_back(column_index(path_, f, header_, columns_, "feature"));
    if (options_.feature_columns.empty())
      for (size_t c = 0; c < columns_; ++c)
        if (std::find(targets_.begin(), targets_.end(), c) == targets_.end()) features_.push_back(c);
    NABLA_CHECK(!features_.empty(), "read_csv: '", path_, "' has ", columns_,
                " column(s) per record (delimiter '", options_.delimiter,
                "'); it needs target column(s) and at least one feature column "
                "(is the delimiter right?)");
    NABLA_CHECK(expected_features_ == 0 || features_.size() == static_cast<size_t>(expected_features_),
                "read_csv: '", path_, "' has ", features_.size(), " feature column(s) but the model "
                "takes ", expected_features_, "; give the columns it was trained on (with the "
                "same header names, or in the same order)");
  }

  std::string at(const Record& record, size_t column) const {
    return path_ + ":" + std::to_string(record.line) + ":" + std::to_string(column + 1);
  }

  void add_row(const Record& record) {
    NABLA_CHECK(record.fields.size() == columns_, path_, ":", record.line, ": the record has ",
                record.fields.size(), " columns but ",
                options_.header ? "the header has " : "the first record has ", columns_,
                "; every record needs the same number of fields");
    std::vector<float> row;
    row.reserve(features_.size());
    for (size_t c : features_) {
      double value = 0;
      const std::string& cell = record.fields[c];
      NABLA_CHECK(parse_double(cell, value), at(record, c), ": cannot read '", cell,
                  "' as a number (features must be numbers; leave text columns out with "
                  "data.feature_columns, or encode them as numbers first)");
      NABLA_CHECK(std::isfinite(value), at(record, c), ": '", cell,
                  "' is not a finite number; fill or drop missing values first (or skip such "
                  "records with data.skip_bad_rows)");
      row.push_back(static_cast<float>(value));
    }
    std::vector<float> targets;
    for (size_t c : targets_) {
      const std::string& cell = record.fields[c];
      if (options_.task == Task::classification || expected_features_ > 0) break;
      double value = 0;
      NABLA_CHECK(parse_double(cell, value) && std::isfinite(value), at(record, c), ": target '",
                  cell, "' is not a finite number; ", task_name(options_.task),
                  " targets must be numbers");
      NABLA_CHECK(options_.task != Task::multilabel || value == 0 || value == 1, at(record, c),
                  ": label '", cell, "' must be 0 or 1 (one column per label)");
      targets.push_back(static_cast<float>(value));
    }
    inputs_.insert(inputs_.end(), row.begin(), row.end());
    values_.insert(values_.end(), targets.begin(), targets.end());
    if (options_.task == Task::classification && expected_features_ == 0)
      labels_.push_back(record.fields[targets_[0]]);
    row_lines_.push_back(record.line);
    ++rows_;
  }

  // Class indices 0, 1, ... when every label is one; class names in sorted order when some
  // label is not a number at all; numbers that are no class index are an Error (a regression
  // target read as a class).
  Dataset classes(const Tensor& inputs, const std::string& what) const {
    std::vector<double> numbers(labels_.size());
    bool all_numbers = true;
    for (size_t i = 0; i < labels_.size() && all_numbers; ++i)
      all_numbers = parse_double(labels_[i], numbers[i]);
    std::vector<int64_t> ids(labels_.size());
    if (all_numbers) {
      for (size_t i = 0; i < labels_.size(); ++i) {
        NABLA_CHECK(is_class_index(numbers[i]), path_, ":", row_lines_[i], ":", targets_[0] + 1,
                    ": label '", labels_[i],
                    "' is not a class index; class labels must be 0, 1, 2, ... below ",
                    kMaxClasses, " or names (is the label column right? for numeric targets "
                    "set task = \"regression\")");
        ids[i] = static_cast<int64_t>(numbers[i]);
      }
      return make_dataset(inputs, from_vector(ids, {static_cast<int64_t>(ids.size())}), 0, what);
    }
    std::map<std::string, int64_t> names;
    for (const std::string& label : labels_) names.emplace(label, 0);
    NABLA_CHECK(static_cast<int64_t>(names.size()) <= kMaxClasses, what, ": ", names.size(),
                " distinct labels is more classes than nabla accepts (", kMaxClasses, ")");
    std::vector<std::string> class_names;
    for (auto& [name, id] : names) {
      id = static_cast<int64_t>(class_names.size());
      class_names.push_back(name);
    }
    for (size_t i = 0; i < labels_.size(); ++i) ids[i] = names.at(labels_[i]);
    Dataset data = make_dataset(inputs, from_vector(ids, {static_cast<int64_t>(ids.size())}),
                                static_cast<int64_t>(class_names.size()), what);
    data.class_names = std::move(class_names);
    return data;
  }

  const std::string& path_;
  const CsvOptions& options_;
  size_t columns_ = 0, rows_ = 0;
  int64_t skipped_ = 0;
  std::vector<std::string> header_;
  std::vector<size_t> targets_, features_;
  std::vector<float> inputs_, values_;
  int64_t expected_features_;
  std::vector<std::string> labels_;  // classification: the label cells
  std::vector<size_t> row_lines_;    // the line each row began on
};

}  // namespace

Dataset read_csv(const std::string& path, const CsvOptions& options, int64_t* skipped_rows) {
  const std::string text = read_all(path);
  CsvReader reader(path, options);
  for_each_record(text, options.delimiter, path, [&](const Record& record) { reader.add(record); });
  return reader.finish(skipped_rows);
}

CsvFeatures read_csv_features(const std::string& path, const CsvOptions& options,
                              int64_t expected_features) {
  NABLA_CHECK(expected_features >= 1, "read_csv_features: expected_features must be >= 1, got ",
              expected_features);
  const std::string text = read_all(path);
  CsvReader reader(path, options, expected_features);
  for_each_record(text, options.delimiter, path, [&](const Record& record) { reader.add(record); });
  return reader.features();
}

}  // namespace nabla::data
