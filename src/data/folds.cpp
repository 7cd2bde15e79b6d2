#include "nabla/data/folds.hpp"

#include <algorithm>

#include "nabla/error.hpp"
#include "nabla/ops.hpp"
#include "nabla/random.hpp"

namespace nabla::data {

namespace {
// Apart from the splits' (0x5B1D...) and the bootstrap's (0x5B1E...) streams.
constexpr uint64_t kFoldStream = 0x5B1F'0000'0000'0000ull;
}  // namespace

Dataset concatenate(const Dataset& first, const Dataset& second) {
  if (second.size() == 0) return first;
  if (first.size() == 0) return second;
  NABLA_CHECK(first.task == second.task && first.num_classes == second.num_classes &&
                  first.sample_shape() == second.sample_shape(),
              "concatenate: the datasets differ (", task_name(first.task), ", ",
              first.num_classes, " outputs, samples ", first.sample_shape(), " vs ",
              task_name(second.task), ", ", second.num_classes, " outputs, samples ",
              second.sample_shape(), "); only splits of one dataset can be joined");
  Dataset joined = first;
  joined.inputs = cat({first.inputs, second.inputs}, 0);
  joined.targets = cat({first.targets, second.targets}, 0);
  if (joined.class_names.empty()) joined.class_names = second.class_names;
  return joined;
}

std::pair<Dataset, Dataset> k_fold(const Dataset& data, int64_t folds, int64_t fold,
                                   uint64_t seed) {
  const int64_t n = data.size();
  NABLA_CHECK(folds >= 2 && folds <= n, "k_fold: ", folds, " folds of ", n,
              " rows; cross-validation needs 2 <= folds <= rows (5 or 10 are usual)");
  NABLA_CHECK(fold >= 0 && fold < folds, "k_fold: fold ", fold, " does not exist; with ", folds,
              " folds it lies in [0, ", folds - 1, "]");
  RandomStream rng(seed, kFoldStream);
  const std::vector<int64_t> order = random_permutation(n, rng);
  // Fold f starts at f·(n / k) + min(f, n mod k).
  const auto start = [&](int64_t f) { return f * (n / folds) + std::min(f, n % folds); };
  const int64_t begin = start(fold), end = start(fold + 1);
  std::vector<int64_t> kept(order.begin(), order.begin() + begin);
  kept.insert(kept.end(), order.begin() + end, order.end());
  const std::vector<int64_t> held(order.begin() + begin, order.begin() + end);
  return {data.subset(kept), data.subset(held)};
}

}  // namespace nabla::data
