// k-fold cross-validation: the training and validation splits joined into one pool and cut
// into k folds, fold f held out for validation and the other k - 1 trained on. The test split
// is not touched, so a search that ranks trials by their mean over the folds never sees it.
//
//   data::Dataset pool = data::concatenate(splits.train, splits.validation);
//   auto [train, validation] = data::k_fold(pool, /*folds=*/5, /*fold=*/2, /*seed=*/1);
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <utility>

#include "nabla/data/dataset.hpp"

namespace nabla::data {

// The rows of `first` followed by those of `second`: same task, output width and sample shape
// (either may be empty). Class names come from whichever has them.
Dataset concatenate(const Dataset& first, const Dataset& second);

// One seeded permutation of the N rows (it depends only on N and seed, from a stream of its own)
// cut into `folds` parts whose sizes differ by at most one, the first N mod k one row larger (as
// scikit-learn's KFold); returns (the other parts in permuted order, part `fold`). Every row is
// held out by exactly one fold. 2 <= folds <= N, 0 <= fold < folds.
std::pair<Dataset, Dataset> k_fold(const Dataset& data, int64_t folds, int64_t fold, uint64_t seed);

}  // namespace nabla::data

#pragma GCC visibility pop
