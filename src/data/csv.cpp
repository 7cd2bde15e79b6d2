// Numeric CSV: the whole file is read at once, split into lines (\n or \r\n), and each cell
// parsed with std::from_chars, which neither allocates nor depends on the locale. Errors point
// at file:line:column (1-based, as compilers do) so a bad cell is found in an editor at once.
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
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

// The file's lines without their \n or \r\n, trailing empty lines dropped.
std::vector<std::string_view> split_lines(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM (Excel)
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  while (!lines.empty() && lines.back().find_first_not_of(" \t") == std::string_view::npos)
    lines.pop_back();
  return lines;
}

// A cell without surrounding blanks and one pair of surrounding double quotes (R and
// spreadsheets quote header names).
std::string_view trim(std::string_view cell) {
  const size_t first = cell.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  cell = cell.substr(first, cell.find_last_not_of(" \t") - first + 1);
  if (cell.size() >= 2 && cell.front() == '"' && cell.back() == '"')
    cell = cell.substr(1, cell.size() - 2);
  return cell;
}

std::vector<std::string_view> split_cells(std::string_view line, char delimiter) {
  std::vector<std::string_view> cells;
  size_t start = 0;
  while (true) {
    const size_t end = line.find(delimiter, start);
    cells.push_back(trim(line.substr(start, end == std::string_view::npos ? end : end - start)));
    if (end == std::string_view::npos) return cells;
    start = end + 1;
  }
}

// The label column's index: a header name first, else an integer (negative from the end).
size_t label_index(const std::string& path, const CsvOptions& options,
                   const std::vector<std::string_view>& header, size_t columns) {
  for (size_t c = 0; c < header.size(); ++c)
    if (header[c] == options.label_column) return c;
  const std::string& text = options.label_column;
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
  NABLA_CHECK(index >= -count && index < count, "read_csv: label column ", index, " of '", path,
              "' is outside the ", count, " columns; use an index in [", -count, ", ", count, ")");
  return static_cast<size_t>(index < 0 ? index + count : index);
}

double parse_number(std::string_view cell, const std::string& path, size_t line, size_t column) {
  // from_chars takes no leading '+'; spreadsheets write one.
  const std::string_view digits =
      cell.size() > 1 && cell[0] == '+' && cell[1] != '-' ? cell.substr(1) : cell;
  double value = 0.0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  NABLA_CHECK(!digits.empty() && error == std::errc() && end == digits.data() + digits.size(), path,
              ":", line, ":", column, ": cannot read '", cell,
              "' as a number (read_csv needs numeric "
              "cells; encode categories as integers first)");
  NABLA_CHECK(std::isfinite(value), path, ":", line, ":", column, ": '", cell,
              "' is not a finite number; fill or drop missing values first");
  return value;
}

int64_t parse_label(std::string_view cell, const std::string& path, size_t line, size_t column) {
  const double value = parse_number(cell, path, line, column);
  NABLA_CHECK(value >= 0 && value == std::floor(value) && value < double(kMaxClasses), path, ":",
              line, ":", column, ": label '", cell, "' is not a class index; class labels must be "
              "0, 1, 2, ... below ", kMaxClasses, " (is the label column right?)");
  return static_cast<int64_t>(value);
}

}  // namespace

Dataset read_csv(const std::string& path, const CsvOptions& options) {
  const std::string text = read_all(path);
  const std::vector<std::string_view> lines = split_lines(text);
  const size_t first_row = options.header ? 1 : 0;
  NABLA_CHECK(lines.size() > first_row, "read_csv: '", path, "' has no data rows",
              options.header ? " below its header" : "", "; is it the right file?");
  std::vector<std::string_view> header;
  if (options.header) header = split_cells(lines[0], options.delimiter);
  const size_t columns =
      options.header ? header.size() : split_cells(lines[0], options.delimiter).size();
  NABLA_CHECK(columns >= 2, "read_csv: '", path, "' has ", columns,
              " column(s) per row (delimiter '", options.delimiter,
              "'); it needs a label column and at least one feature column "
              "(is the delimiter right?)");
  const size_t label = label_index(path, options, header, columns);

  const auto rows = static_cast<int64_t>(lines.size() - first_row);
  const auto features = static_cast<int64_t>(columns - 1);
  std::vector<float> inputs;
  inputs.reserve(static_cast<size_t>(rows * features));
  std::vector<int64_t> targets;
  targets.reserve(static_cast<size_t>(rows));
  std::vector<std::string_view> cells;
  for (size_t l = first_row; l < lines.size(); ++l) {
    cells = split_cells(lines[l], options.delimiter);
    NABLA_CHECK(cells.size() == columns, path, ":", l + 1, ": the row has ", cells.size(),
                " columns but ", options.header ? "the header has " : "the first row has ", columns,
                "; every row needs the same number of cells (an empty line in the middle counts "
                "as a row of 1)");
    for (size_t c = 0; c < columns; ++c) {
      if (c == label)
        targets.push_back(parse_label(cells[c], path, l + 1, c + 1));
      else
        inputs.push_back(static_cast<float>(parse_number(cells[c], path, l + 1, c + 1)));
    }
  }
  return make_dataset(from_vector(inputs, {rows, features}), from_vector(targets, {rows}), 0,
                      "read_csv('" + path + "')");
}

}  // namespace nabla::data
