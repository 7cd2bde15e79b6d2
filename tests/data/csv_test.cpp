// CSV (src/data/csv.cpp, libcsv) on small files written here: header or not, label column by
// name or index, \r\n, blank lines, RFC 4180 quoting, string labels, regression and multi-label
// target columns, chosen feature columns, skipped bad records, and every malformed file giving
// file:line:column.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "nabla/data/dataset.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;
namespace fs = std::filesystem;

namespace {

class CsvFiles : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("nabla_csv_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& text, const std::string& name = "data.csv") {
    const std::string path = (dir_ / name).string();
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    return path;
  }

  fs::path dir_;
};

std::vector<float> floats(const data::Dataset& d) { return d.inputs.to_vector<float>(); }
std::vector<int64_t> labels(const data::Dataset& d) { return d.targets.to_vector<int64_t>(); }

}  // namespace

TEST_F(CsvFiles, HeaderAndLabelByName) {
  const std::string path = write("a,species,b\n1.5,0,2\n-3,2,4e-1\n0,1,7\n");
  const data::Dataset d = data::read_csv(path, {.label_column = "species"});
  EXPECT_EQ(d.inputs.shape(), (Shape{3, 2}));
  EXPECT_EQ(floats(d), (std::vector<float>{1.5f, 2.0f, -3.0f, 0.4f, 0.0f, 7.0f}));
  EXPECT_EQ(labels(d), (std::vector<int64_t>{0, 2, 1}));
  EXPECT_EQ(d.num_classes, 3);
}

TEST_F(CsvFiles, LabelByIndexFromEitherEnd) {
  const std::string path = write("x,y,label\n1,2,1\n3,4,0\n");
  const data::Dataset last = data::read_csv(path);  // "-1" by default
  EXPECT_EQ(labels(last), (std::vector<int64_t>{1, 0}));
  EXPECT_EQ(floats(last), (std::vector<float>{1, 2, 3, 4}));
  const data::Dataset first = data::read_csv(path, {.label_column = "0"});
  EXPECT_EQ(labels(first), (std::vector<int64_t>{1, 3}));
  EXPECT_EQ(floats(first), (std::vector<float>{2, 1, 4, 0}));
  EXPECT_EQ(labels(data::read_csv(path, {.label_column = "-3"})), labels(first));
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(path, {.label_column = "3"}); },
                                      {"label column 3", "3 columns", "[-3, 3)"}));
}

TEST_F(CsvFiles, NoHeaderCrLfBlanksQuotesAndOtherDelimiters) {
  const std::string crlf = write("1;2;0\r\n +3 ; 4;1\r\n\r\n\r\n", "crlf.csv");
  const data::Dataset d = data::read_csv(crlf, {.header = false, .delimiter = ';'});
  EXPECT_EQ(floats(d), (std::vector<float>{1, 2, 3, 4}));
  EXPECT_EQ(labels(d), (std::vector<int64_t>{0, 1}));
  const std::string quoted = write("\"sepal\",\"class\"\n5.1,2\n4.9,1.0\n", "quoted.csv");
  const data::Dataset q = data::read_csv(quoted, {.label_column = "class"});
  EXPECT_EQ(labels(q), (std::vector<int64_t>{2, 1}));
  EXPECT_EQ(floats(q), (std::vector<float>{5.1f, 4.9f}));
  const std::string no_newline = write("a,b\n1,0", "last.csv");
  EXPECT_EQ(data::read_csv(no_newline).size(), 1);
}

TEST_F(CsvFiles, NonNumericCellNamesLineAndColumn) {
  const std::string path = write("a,b,label\n1,2,0\n3,abc,1\n");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(path); },
                                      {path + ":3:2: cannot read 'abc' as a number"}));
  const std::string blank = write("a,b,label\n1,,0\n", "blank.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(blank); },
                                      {blank + ":2:2: cannot read '' as a number"}));
  const std::string nan = write("a,label\nnan,0\n", "nan.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(nan); }, {nan + ":2:1", "finite"}));
}

TEST_F(CsvFiles, BadLabelsAreErrors) {
  const std::string negative = write("a,label\n1,0\n2,-1\n", "negative.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(negative); },
                                      {negative + ":3:2", "label '-1'", "not a class index"}));
  const std::string fraction = write("a,label\n1,0.5\n", "fraction.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(fraction); }, {"label '0.5'"}));
  // A regression target read as a class would size an output layer of 10^15 units.
  const std::string huge = write("a,label\n1,0\n2,1e15\n", "huge.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(huge); },
                                      {huge + ":3:2", "label '1e15'", "below 1048576"}));
}

TEST_F(CsvFiles, RaggedRowNamesTheLineAndTheCounts) {
  const std::string path = write("a,b,label\n1,2,0\n3,1\n");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(path); },
                                      {path + ":3", "2 columns", "header has 3"}));
  const std::string short_first = write("1,2,0\n3,4\n", "short.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(short_first, {.header = false}); },
                                      {short_first + ":2", "2 columns", "first record has 3"}));
  // Blank lines are no records (as pandas' skip_blank_lines): line numbers still count them.
  const std::string middle = write("1,2,0\n\n3,4,1\n3,x,1\n", "middle.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(middle, {.header = false}); },
                                      {middle + ":4:2: cannot read 'x'"}));
}

TEST_F(CsvFiles, UnknownLabelColumnListsTheHeader) {
  const std::string path = write("width,height,kind\n1,2,0\n");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(path, {.label_column = "class"}); },
                                      {"no column named 'class'", "'width', 'height', 'kind'"}));
}

TEST_F(CsvFiles, EmptyOrMissingFilesAreErrors) {
  const std::string header_only = write("a,label\n\n", "header.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(header_only); }, {"no data rows"}));
  const std::string one_column = write("label\n1\n", "one.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(one_column); }, {"1 column(s)"}));
  const std::string missing = (dir_ / "missing.csv").string();
  EXPECT_TRUE(
      throws_error_containing([&] { data::read_csv(missing); }, {missing, "does not exist"}));
}

TEST_F(CsvFiles, QuotedFieldsFollowRfc4180) {
  // A quoted name holding the delimiter, a doubled quote and a line break; numbers quoted too.
  const std::string path = write(
      "\"width, cm\",\"say \"\"hi\"\"\",species\n\"1.5\",2,\"iris\nsetosa\"\n3,4,virginica\n");
  const data::Dataset d = data::read_csv(path, {.label_column = "species"});
  EXPECT_EQ(floats(d), (std::vector<float>{1.5f, 2, 3, 4}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"iris\nsetosa", "virginica"}));
  const data::Dataset by_name =
      data::read_csv(path, {.label_column = "say \"hi\"", .feature_columns = {"width, cm"}});
  EXPECT_EQ(labels(by_name), (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(floats(by_name), (std::vector<float>{1.5f, 3}));
  const std::string stray = write("a,label\n1,0\n2\"x,1\n", "stray.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(stray); }, {stray + ":3", "malformed CSV"}));
  const std::string open = write("a,label\n1,\"0\n", "open.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(open); }, {"not closed"}));
}

TEST_F(CsvFiles, StringLabelsBecomeSortedClasses) {
  const std::string path = write("x,y,species\n1,2,setosa\n3,4,virginica\n5,6,setosa\n7,8,10\n");
  const data::Dataset d = data::read_csv(path);
  // "10" is a name like the others once a label is text; names sort as strings.
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"10", "setosa", "virginica"}));
  EXPECT_EQ(labels(d), (std::vector<int64_t>{1, 2, 1, 0}));
  EXPECT_EQ(d.num_classes, 3);
  const std::string numeric = write("x,y\n1,2.5\n", "numeric.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(numeric); },
                                      {numeric + ":2:2", "label '2.5'", "task = \"regression\""}));
}

TEST_F(CsvFiles, RegressionAndMultilabelTargetColumns) {
  const std::string path = write("a,price,b,rating\n1,10.5,2,3\n3,-2,4,1e2\n");
  const data::Dataset one = data::read_csv(path, {.label_column = "price", .task = data::Task::regression});
  EXPECT_EQ(one.task, data::Task::regression);
  EXPECT_EQ(one.targets.shape(), (Shape{2, 1}));
  EXPECT_EQ(one.targets.to_vector<float>(), (std::vector<float>{10.5f, -2}));
  EXPECT_EQ(one.class_names, (std::vector<std::string>{"price"}));
  EXPECT_EQ(floats(one), (std::vector<float>{1, 2, 3, 3, 4, 100}));
  const data::Dataset two = data::read_csv(
      path, {.label_columns = {"price", "-1"}, .feature_columns = {"b"}, .task = data::Task::regression});
  EXPECT_EQ(two.targets.to_vector<float>(), (std::vector<float>{10.5f, 3, -2, 100}));
  EXPECT_EQ(two.num_classes, 2);
  EXPECT_EQ(floats(two), (std::vector<float>{2, 4}));

  const std::string tags = write("f,red,round\n0.5,1,0\n0.7,1,1\n", "tags.csv");
  const data::Dataset multi =
      data::read_csv(tags, {.label_columns = {"red", "round"}, .task = data::Task::multilabel});
  EXPECT_EQ(multi.task, data::Task::multilabel);
  EXPECT_EQ(multi.targets.to_vector<float>(), (std::vector<float>{1, 0, 1, 1}));
  EXPECT_EQ(multi.class_names, (std::vector<std::string>{"red", "round"}));
  const std::string bad = write("f,red\n0.5,2\n", "bad_tag.csv");
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_csv(bad, {.label_columns = {"red"}, .task = data::Task::multilabel}); },
      {bad + ":2:2", "must be 0 or 1"}));
  EXPECT_TRUE(throws_error_containing(
      [&] { data::read_csv(path, {.label_columns = {"price", "rating"}}); },
      {"2 label columns given for classification"}));
}

TEST_F(CsvFiles, BadRecordsAreSkippedAndCountedWhenAsked) {
  const std::string path = write("a,b,label\n1,2,0\n3,nan,1\n4,5\n6,,1\n7,8,1\n9,x,0\n");
  int64_t skipped = -1;
  const data::Dataset d = data::read_csv(path, {.skip_bad_rows = true}, &skipped);
  EXPECT_EQ(skipped, 4);
  EXPECT_EQ(floats(d), (std::vector<float>{1, 2, 7, 8}));
  EXPECT_EQ(labels(d), (std::vector<int64_t>{0, 1}));
  const std::string all_bad = write("a,label\nx,0\n", "all_bad.csv");
  EXPECT_TRUE(throws_error_containing([&] { data::read_csv(all_bad, {.skip_bad_rows = true}); },
                                      {"no data rows", "1 skipped"}));
}
