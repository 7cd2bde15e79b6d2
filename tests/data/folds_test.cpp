// k-fold cross-validation splits (data/folds.hpp) and their config keys (data.folds, data.fold).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "nabla/data/folds.hpp"
#include "nabla/run/setup.hpp"
#include "support/harness.hpp"

namespace nabla {
namespace {

using nabla::testing::throws_error_containing;

// Rows whose one feature is their index, so a split shows which rows it holds.
data::Dataset numbered(int64_t n, int64_t first = 0) {
  std::vector<float> x(static_cast<size_t>(n));
  std::vector<int64_t> y(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) x[i] = static_cast<float>(first + i), y[i] = (first + i) % 3;
  return data::make_dataset(from_vector(x, {n, 1}), from_vector(y, {n}), 3);
}

std::vector<float> rows_of(const data::Dataset& d) { return d.inputs.to_vector<float>(); }

TEST(KFold, EveryRowIsHeldOutByExactlyOneFold) {
  const data::Dataset d = numbered(23);
  std::vector<int> held(23, 0);
  for (int64_t fold = 0; fold < 5; ++fold) {
    const auto [train, validation] = data::k_fold(d, 5, fold, 7);
    // 23 = 5·4 + 3: the first three folds hold 5 rows, the last two 4 (scikit-learn's KFold).
    EXPECT_EQ(validation.size(), fold < 3 ? 5 : 4) << fold;
    EXPECT_EQ(train.size() + validation.size(), 23);
    std::set<float> train_rows;
    for (float row : rows_of(train)) train_rows.insert(row);
    EXPECT_EQ(train_rows.size(), static_cast<size_t>(train.size())) << "no row twice";
    for (float row : rows_of(validation)) {
      ++held[static_cast<size_t>(row)];
      EXPECT_FALSE(train_rows.count(row)) << "row " << row << " in both parts of fold " << fold;
    }
    const std::vector<int64_t> labels = validation.targets.to_vector<int64_t>();
    const std::vector<float> inputs = rows_of(validation);
    for (size_t k = 0; k < labels.size(); ++k)
      EXPECT_EQ(labels[k], static_cast<int64_t>(inputs[k]) % 3) << "each row keeps its target";
  }
  EXPECT_TRUE(std::all_of(held.begin(), held.end(), [](int c) { return c == 1; }));
}

TEST(KFold, TheSeedFixesThePermutation) {
  const data::Dataset d = numbered(50);
  EXPECT_EQ(rows_of(data::k_fold(d, 5, 2, 1).second), rows_of(data::k_fold(d, 5, 2, 1).second));
  EXPECT_NE(rows_of(data::k_fold(d, 5, 2, 1).second), rows_of(data::k_fold(d, 5, 2, 2).second));
}

TEST(KFold, BadFoldCountsAreErrors) {
  const data::Dataset d = numbered(4);
  EXPECT_TRUE(throws_error_containing([&] { data::k_fold(d, 1, 0, 0); }, {"2 <= folds <= rows"}));
  EXPECT_TRUE(throws_error_containing([&] { data::k_fold(d, 5, 0, 0); }, {"5 folds of 4 rows"}));
  EXPECT_TRUE(throws_error_containing([&] { data::k_fold(d, 4, 4, 0); }, {"fold 4 does not exist"}));
  EXPECT_NO_THROW(data::k_fold(d, 4, 3, 0));
}

TEST(Concatenate, JoinsRowsOfTheSameKindOnly) {
  const data::Dataset joined = data::concatenate(numbered(3), numbered(2, 3));
  EXPECT_EQ(rows_of(joined), (std::vector<float>{0, 1, 2, 3, 4}));
  EXPECT_EQ(joined.targets.to_vector<int64_t>(), (std::vector<int64_t>{0, 1, 2, 0, 1}));
  EXPECT_EQ(data::concatenate(numbered(3), data::Dataset{}).size(), 3);
  data::Dataset wider = numbered(2);
  wider.num_classes = 4;
  EXPECT_TRUE(throws_error_containing([&] { data::concatenate(numbered(3), wider); }, {"only splits of one dataset can be joined"}));
}

// data.folds joins the training and validation splits and holds out data.fold; the test split
// is the same as without folds.
TEST(KFold, ConfigKeysSplitTheTrainingAndValidationRows) {
  const std::string base = "[data]\ndataset = \"spirals\"\nspiral_points = 50\n";
  const data::Splits plain = run::load_data(run::Config::from_string(base, "t.toml"));
  const int64_t pool = plain.train.size() + plain.validation.size();
  int64_t held = 0;
  for (int fold = 0; fold < 4; ++fold) {
    const data::Splits split = run::load_data(run::Config::from_string(
        base + "folds = 4\nfold = " + std::to_string(fold) + "\n", "t.toml"));
    EXPECT_EQ(split.train.size() + split.validation.size(), pool);
    EXPECT_EQ(rows_of(split.test), rows_of(plain.test));
    held += split.validation.size();
  }
  EXPECT_EQ(held, pool);
  EXPECT_TRUE(throws_error_containing([&] {
                run::load_data(run::Config::from_string(base + "folds = 4\nfold = 4\n", "t.toml"));
              }, {"data.fold = 4 does not exist"}));
  EXPECT_TRUE(throws_error_containing([&] {
                run::load_data(run::Config::from_string(base + "folds = 1\n", "t.toml"));
              }, {"data.folds = 1"}));
}

}  // namespace
}  // namespace nabla
