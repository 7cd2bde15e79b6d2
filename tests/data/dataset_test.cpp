// Datasets (src/data/dataset.cpp, src/data/spirals.cpp): validation, subsets, the seeded splits
// (disjoint, covering, deterministic), the spirals and the Fashion-MNIST wrapper.
#include "nabla/data/dataset.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>

#include "nabla/data/idx.hpp"
#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;
namespace fs = std::filesystem;

namespace {

// Row r holds inputs {r, -r} and target r % classes, so every row can be traced back.
data::Dataset numbered(int64_t rows, int64_t classes = 3) {
  std::vector<float> inputs;
  std::vector<int64_t> targets;
  for (int64_t r = 0; r < rows; ++r) {
    inputs.push_back(static_cast<float>(r));
    inputs.push_back(static_cast<float>(-r));
    targets.push_back(r % classes);
  }
  return data::make_dataset(from_vector(inputs, {rows, 2}), from_vector(targets, {rows}), classes);
}

// The row numbers a dataset built by numbered() holds, in order (checking inputs and targets
// agree).
std::vector<int64_t> rows_of(const data::Dataset& d, int64_t classes = 3) {
  std::vector<int64_t> rows;
  const std::vector<float> x = d.inputs.to_vector<float>();
  const std::vector<int64_t> y = d.targets.to_vector<int64_t>();
  for (int64_t i = 0; i < d.size(); ++i) {
    const auto r = static_cast<int64_t>(x[2 * i]);
    EXPECT_EQ(x[2 * i + 1], -static_cast<float>(r));
    EXPECT_EQ(y[i], r % classes);
    rows.push_back(r);
  }
  return rows;
}

std::vector<int64_t> sorted(std::vector<int64_t> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<int64_t> iota_rows(int64_t n) {
  std::vector<int64_t> v(n);
  for (int64_t i = 0; i < n; ++i) v[i] = i;
  return v;
}

}  // namespace

TEST(Dataset, MakeDatasetChecksAndInfersClasses) {
  const data::Dataset d =
      data::make_dataset(zeros({4, 3}, {.dtype = DType::f64}), i64({0, 4, 2, 1}, {4}));
  EXPECT_EQ(d.num_classes, 5);
  EXPECT_EQ(d.inputs.dtype(), DType::f32);
  EXPECT_EQ(d.size(), 4);
  EXPECT_EQ(d.sample_shape(), (Shape{3}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        data::make_dataset(zeros({4, 3}), i64({0, 4, 2, 1}, {4}), 4, "toy");
      },
      {"toy", "target 4 of row 1", "[0, 4)"}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        data::make_dataset(zeros({4, 3}), i64({0, -1, 2, 1}, {4}));
      },
      {"target -1 of row 1"}));
  // An inferred class count is bounded: label 10^15 is a corrupt file, not 10^15 classes.
  EXPECT_TRUE(throws_error_containing(
      [] {
        data::make_dataset(zeros({2, 3}), i64({0, 1000000000000000}, {2}), 0, "toy");
      },
      {"toy", "target 1000000000000000 of row 1", "[0, 1048576)"}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        data::make_dataset(zeros({4, 3}), zeros({4}));
      },
      {"int64", ".to(DType::i64)"}));
  EXPECT_TRUE(throws_error_containing(
      [] {
        data::make_dataset(zeros({4, 3}), i64({0, 1}, {2}));
      },
      {"targets of shape [2]", "inputs of shape [4, 3]"}));
  EXPECT_TRUE(
      throws_error_containing([] { data::make_dataset(Tensor(), i64({0}, {1})); }, {"defined"}));
}

TEST(Dataset, SubsetCopiesRowsInOrderAndKeepsClassNames) {
  data::Dataset d = numbered(10);
  d.class_names = {"a", "b", "c"};
  const data::Dataset s = d.subset({7, 2, 2, 9});
  EXPECT_EQ(rows_of(s), (std::vector<int64_t>{7, 2, 2, 9}));
  EXPECT_EQ(s.num_classes, 3);
  EXPECT_EQ(s.class_names, d.class_names);
  EXPECT_NE(s.inputs.data_ptr(), d.inputs.data_ptr());
  EXPECT_EQ(d.subset({}).size(), 0);
  EXPECT_EQ(d.subset({}).inputs.shape(), (Shape{0, 2}));
  EXPECT_TRUE(throws_error_containing(
      [&] {
        d.subset({1, 10});
      },
      {"index 10 (position 1)", "10 rows"}));
}

TEST(Dataset, SelectClassesRelabelsInListOrderUpToALimit) {
  data::Dataset d = numbered(10);  // targets 0 1 2 0 1 2 0 1 2 0
  d.class_names = {"a", "b", "c"};
  auto first_column = [](const data::Dataset& x) {
    std::vector<int64_t> rows;
    for (int64_t i = 0; i < x.size(); ++i) rows.push_back(static_cast<int64_t>(x.inputs.to_vector<float>()[2 * i]));
    return rows;
  };
  const data::Dataset s = data::select_classes(d, {2, 0});
  EXPECT_EQ(first_column(s), (std::vector<int64_t>{0, 2, 3, 5, 6, 8, 9}));
  EXPECT_EQ(s.targets.to_vector<int64_t>(), (std::vector<int64_t>{1, 0, 1, 0, 1, 0, 1}));
  EXPECT_EQ(s.num_classes, 2);
  EXPECT_EQ(s.class_names, (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(first_column(data::select_classes(d, {1}, 2)), (std::vector<int64_t>{1, 4}));
  EXPECT_TRUE(throws_error_containing([&] { data::select_classes(d, {0, 3}); },
                                      {"class 3 is outside the dataset's 3 classes"}));
  EXPECT_TRUE(throws_error_containing([&] { data::select_classes(d, {1, 1}); }, {"listed twice"}));
  EXPECT_TRUE(throws_error_containing([&] { data::select_classes(d, {}); }, {"empty"}));
}

TEST(Dataset, SplitOffIsDisjointCoveringAndSeeded) {
  const data::Dataset d = numbered(103);
  const auto [train, validation] = data::split_off(d, 0.1, 7);
  EXPECT_EQ(train.size(), 93);
  EXPECT_EQ(validation.size(), 10);
  std::vector<int64_t> all = rows_of(train);
  const std::vector<int64_t> held = rows_of(validation);
  all.insert(all.end(), held.begin(), held.end());
  EXPECT_EQ(sorted(all), iota_rows(103));  // disjoint and covering

  const auto [train_again, validation_again] = data::split_off(d, 0.1, 7);
  EXPECT_TRUE(equal(train.inputs, train_again.inputs));
  EXPECT_TRUE(equal(validation.targets, validation_again.targets));
  const auto [train_other, validation_other] = data::split_off(d, 0.1, 8);
  EXPECT_FALSE(equal(validation.inputs, validation_other.inputs));
  EXPECT_NE(rows_of(train), iota_rows(93));  // shuffled, not the first rows

  EXPECT_EQ(data::split_off(d, 0.0, 1).second.size(), 0);
  EXPECT_TRUE(throws_error_containing([&] { data::split_off(d, 1.5, 0); }, {"[0, 1]", "1.5"}));
}

TEST(Dataset, SplitThreeWaysHasTheAskedSizes) {
  const data::Splits s = data::split_three_ways(numbered(100), 0.8, 0.1, 0.1, 3);
  EXPECT_EQ(s.train.size(), 80);
  EXPECT_EQ(s.validation.size(), 10);
  EXPECT_EQ(s.test.size(), 10);
  std::vector<int64_t> all = rows_of(s.train);
  for (const data::Dataset* part : {&s.validation, &s.test}) {
    const std::vector<int64_t> rows = rows_of(*part);
    all.insert(all.end(), rows.begin(), rows.end());
  }
  EXPECT_EQ(sorted(all), iota_rows(100));
  const data::Splits again = data::split_three_ways(numbered(100), 0.8, 0.1, 0.1, 3);
  EXPECT_TRUE(equal(s.test.inputs, again.test.inputs));

  // Odd sizes still add up.
  const data::Splits odd = data::split_three_ways(numbered(7), 0.5, 0.25, 0.25, 0);
  EXPECT_EQ(odd.train.size() + odd.validation.size() + odd.test.size(), 7);
  EXPECT_TRUE(throws_error_containing(
      [] { data::split_three_ways(numbered(10), 0.8, 0.1, 0.2, 0); }, {"sum to 1"}));
  EXPECT_TRUE(throws_error_containing(
      [] { data::split_three_ways(numbered(10), 1.0, 0.0, 0.0, 0); }, {"positive"}));
}

TEST(Dataset, TwoSpiralsFollowTheirFormula) {
  const data::Dataset d = data::two_spirals(50, 3, 0.0, 0);
  EXPECT_EQ(d.inputs.shape(), (Shape{150, 2}));
  EXPECT_EQ(d.targets.dtype(), DType::i64);
  EXPECT_EQ(d.num_classes, 3);
  const std::vector<float> x = d.inputs.to_vector<float>();
  const std::vector<int64_t> y = d.targets.to_vector<int64_t>();
  for (int64_t row = 0; row < 150; ++row) {
    const int64_t k = row / 50, i = row % 50;
    const double t = i / 49.0, theta = 2 * M_PI * k / 3 + 4 * t;
    EXPECT_EQ(y[row], k);
    EXPECT_NEAR(x[2 * row], t * std::sin(theta), 1e-6);
    EXPECT_NEAR(x[2 * row + 1], t * std::cos(theta), 1e-6);
  }
  const data::Dataset noisy = data::two_spirals(100, 2, 0.1, 5);
  EXPECT_TRUE(equal(noisy.inputs, data::two_spirals(100, 2, 0.1, 5).inputs));
  EXPECT_FALSE(equal(noisy.inputs, data::two_spirals(100, 2, 0.1, 6).inputs));
  EXPECT_FALSE(equal(noisy.inputs, data::two_spirals(100, 2, 0.0, 5).inputs));
  EXPECT_TRUE(throws_error_containing([] { data::two_spirals(0); }, {"points_per_class"}));
  EXPECT_TRUE(throws_error_containing([] { data::two_spirals(10, 2, -1.0); }, {"noise"}));
}

TEST(Dataset, LoadsFashionMnistWithClassNames) {
  const data::Dataset d = data::load_mnist_dataset(data::kFashionMnistDir, true, 100);
  EXPECT_EQ(d.inputs.shape(), (Shape{100, 1, 28, 28}));
  EXPECT_EQ(d.targets.shape(), (Shape{100}));
  EXPECT_EQ(d.num_classes, 10);
  ASSERT_EQ(d.class_names.size(), 10u);
  EXPECT_EQ(d.class_names[0], "T-shirt/top");
  EXPECT_EQ(d.class_names[9], "Ankle boot");
  EXPECT_LE(max(d.inputs).item(), 1.0);
  EXPECT_GE(min(d.inputs).item(), 0.0);
  EXPECT_EQ(data::load_mnist_dataset(data::kFashionMnistDir, false, 10).size(), 10);
}

TEST(Dataset, MnistLikeDirectoryWithoutFashionHasNoClassNames) {
  const fs::path dir =
      fs::temp_directory_path() / ("nabla_dataset_test_digits_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  data::write_idx_u8((dir / "train-images-idx3-ubyte").string(), full({3, 28, 28}, 255.0));
  data::write_idx_u8((dir / "train-labels-idx1-ubyte").string(), from_vector<double>({1, 9, 4}));
  const data::Dataset d = data::load_mnist_dataset(dir.string(), true);
  EXPECT_EQ(d.inputs.shape(), (Shape{3, 1, 28, 28}));
  EXPECT_EQ(d.targets.to_vector<int64_t>(), (std::vector<int64_t>{1, 9, 4}));
  EXPECT_TRUE(d.class_names.empty());
  EXPECT_EQ(max(d.inputs).item(), 1.0);
  data::write_idx_u8((dir / "train-labels-idx1-ubyte").string(), from_vector<double>({1, 10, 4}));
  EXPECT_TRUE(throws_error_containing([&] { data::load_mnist_dataset(dir.string(), true); },
                                      {"target 10 of row 1"}));
  fs::remove_all(dir);
}
