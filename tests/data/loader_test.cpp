// DataLoader (src/data/loader.cpp): coverage of every row once per epoch, seeded orders,
// bitwise-equal batches for any worker count (with random transforms), resuming mid-epoch,
// restarting an epoch while workers run, and errors surfacing on the consumer's thread.
#include "nabla/data/loader.hpp"

#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>

#include "support/harness.hpp"

using namespace nabla;
using namespace nabla::testing;
using ::testing::HasSubstr;

namespace {

// Row r holds inputs [2, 3] with values r * 10 + k and target r % 4.
data::Dataset numbered(int64_t rows) {
  std::vector<float> inputs;
  std::vector<int64_t> targets;
  for (int64_t r = 0; r < rows; ++r) {
    for (int k = 0; k < 6; ++k) inputs.push_back(static_cast<float>(r * 10 + k));
    targets.push_back(r % 4);
  }
  return data::make_dataset(from_vector(inputs, {rows, 2, 3}), from_vector(targets, {rows}), 4);
}

// Adds noise drawn from the sample's stream, and a flip; reads every element.
Tensor noisy(const Tensor& sample, RandomStream& rng) {
  float* x = sample.data<float>();
  const bool flip = rng.bernoulli(0.5);
  for (int64_t i = 0; i < sample.numel(); ++i)
    x[i] = (flip ? -x[i] : x[i]) + static_cast<float>(rng.normal());
  return sample;
}

// Soft targets [B, 4] and a per-batch shift, drawn from the batch's stream.
void soft_targets(data::Batch& batch, RandomStream& rng) {
  const int64_t b = batch.targets.size(0);
  Tensor soft = zeros({b, 4});
  const double keep = rng.uniform(0.5, 1.0);
  for (int64_t i = 0; i < b; ++i)
    for (int64_t c = 0; c < 4; ++c)
      soft.data<float>()[i * 4 + c] =
          static_cast<float>(c == batch.targets.data<int64_t>()[i] ? keep : (1 - keep) / 3);
  batch.targets = soft;
  const float shift = static_cast<float>(rng.uniform());
  for (int64_t i = 0; i < batch.inputs.numel(); ++i) batch.inputs.data<float>()[i] += shift;
}

std::vector<data::Batch> epoch_batches(data::DataLoader& loader, int64_t epoch, int64_t skip = 0) {
  loader.start_epoch(epoch, skip);
  std::vector<data::Batch> out;
  while (auto batch = loader.next()) out.push_back(std::move(*batch));
  return out;
}

::testing::AssertionResult same_batches(const std::vector<data::Batch>& a,
                                        const std::vector<data::Batch>& b) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << a.size() << " batches vs " << b.size();
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].indices != b[i].indices || !equal(a[i].inputs, b[i].inputs) ||
        !equal(a[i].targets, b[i].targets))
      return ::testing::AssertionFailure() << "batch " << i << " differs";
  return ::testing::AssertionSuccess();
}

}  // namespace

TEST(DataLoader, EveryRowOncePerEpochWithTheRightContents) {
  for (int64_t rows : {1, 7, 10, 33}) {
    for (int64_t batch_size : {1, 3, 10, 64}) {
      for (bool drop_last : {false, true}) {
        if (drop_last && batch_size > rows) continue;
        for (int workers : {0, 2}) {
          data::DataLoader loader(
              numbered(rows),
              {.batch_size = batch_size, .drop_last = drop_last, .seed = 5, .workers = workers});
          const std::vector<data::Batch> batches = epoch_batches(loader, 1);
          const int64_t expected =
              drop_last ? rows / batch_size : (rows + batch_size - 1) / batch_size;
          ASSERT_EQ(static_cast<int64_t>(batches.size()), expected);
          EXPECT_EQ(loader.batches_per_epoch(), expected);
          std::vector<int64_t> seen;
          for (const data::Batch& batch : batches) {
            const auto b = static_cast<int64_t>(batch.indices.size());
            EXPECT_TRUE(b == batch_size || (!drop_last && &batch == &batches.back()));
            EXPECT_EQ(batch.inputs.shape(), (Shape{b, 2, 3}));
            EXPECT_EQ(batch.targets.dtype(), DType::i64);
            const std::vector<float> x = batch.inputs.to_vector<float>();
            const std::vector<int64_t> y = batch.targets.to_vector<int64_t>();
            for (int64_t i = 0; i < b; ++i) {
              const int64_t r = batch.indices[i];
              EXPECT_EQ(y[i], r % 4);
              for (int k = 0; k < 6; ++k) EXPECT_EQ(x[i * 6 + k], static_cast<float>(r * 10 + k));
            }
            seen.insert(seen.end(), batch.indices.begin(), batch.indices.end());
          }
          std::sort(seen.begin(), seen.end());
          EXPECT_TRUE(std::adjacent_find(seen.begin(), seen.end()) == seen.end());
          EXPECT_EQ(static_cast<int64_t>(seen.size()), drop_last ? expected * batch_size : rows);
          EXPECT_FALSE(loader.next().has_value());  // stays over
        }
      }
    }
  }
}

TEST(DataLoader, OrderIsSeededPerEpoch) {
  data::DataLoader loader(numbered(50), {.batch_size = 8, .seed = 3, .workers = 0});
  data::DataLoader twin(numbered(50), {.batch_size = 8, .seed = 3, .workers = 2});
  data::DataLoader other(numbered(50), {.batch_size = 8, .seed = 4, .workers = 0});
  EXPECT_NE(loader.epoch_order(0), loader.epoch_order(1));
  EXPECT_EQ(loader.epoch_order(2), twin.epoch_order(2));
  EXPECT_NE(loader.epoch_order(0), other.epoch_order(0));
  std::vector<int64_t> order = loader.epoch_order(0);
  std::sort(order.begin(), order.end());
  for (int64_t i = 0; i < 50; ++i) EXPECT_EQ(order[i], i);
  // Batches follow epoch_order.
  std::vector<int64_t> handed;
  for (const data::Batch& batch : epoch_batches(twin, 2))
    handed.insert(handed.end(), batch.indices.begin(), batch.indices.end());
  EXPECT_EQ(handed, loader.epoch_order(2));

  data::DataLoader in_order(numbered(5), {.batch_size = 2, .shuffle = false});
  EXPECT_EQ(in_order.epoch_order(7), (std::vector<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(epoch_batches(in_order, 7)[1].indices, (std::vector<int64_t>{2, 3}));
}

TEST(DataLoader, BitwiseEqualForAnyWorkerCountWithRandomTransforms) {
  std::vector<std::vector<data::Batch>> runs;
  for (int workers : {0, 1, 3}) {
    data::DataLoader loader(
        numbered(37), {.batch_size = 5, .seed = 11, .workers = workers, .prefetch_batches = 2},
        noisy, soft_targets);
    std::vector<data::Batch> all = epoch_batches(loader, 0);
    for (data::Batch& batch : epoch_batches(loader, 1)) all.push_back(std::move(batch));
    runs.push_back(std::move(all));
  }
  EXPECT_EQ(runs[0].front().targets.shape(), (Shape{5, 4}));
  EXPECT_TRUE(same_batches(runs[0], runs[1]));
  EXPECT_TRUE(same_batches(runs[0], runs[2]));
  // The transforms did something, and differently in each epoch.
  const int64_t first_row = runs[0][0].indices[0];
  EXPECT_NE(runs[0][0].inputs.to_vector<float>()[0], static_cast<float>(first_row * 10));
  EXPECT_FALSE(equal(runs[0][0].inputs, runs[0][8].inputs));
}

TEST(DataLoader, TransformMayChangeTheSampleShape) {
  auto crop = [](const Tensor& sample, RandomStream& rng) {
    const auto start = static_cast<int64_t>(rng.below(2));  // a random 2 x 2 window
    return sample.slice(1, start, start + 2).contiguous();
  };
  data::DataLoader loader(numbered(9), {.batch_size = 4, .workers = 2}, crop);
  const std::vector<data::Batch> batches = epoch_batches(loader, 0);
  EXPECT_EQ(batches[0].inputs.shape(), (Shape{4, 2, 2}));
  EXPECT_EQ(batches[2].inputs.shape(), (Shape{1, 2, 2}));

  int64_t calls = 0;  // workers = 0: the transform runs on this thread only
  auto ragged = [&calls](const Tensor& sample, RandomStream&) {
    return ++calls % 2 ? sample : sample.flatten();
  };
  data::DataLoader bad(numbered(9), {.batch_size = 4, .shuffle = false, .workers = 0}, ragged);
  bad.start_epoch(0);
  EXPECT_TRUE(throws_error_containing([&] { bad.next(); },
                                      {"shape [6] for row 1", "[2, 3] for row 0", "same shape"}));
}

TEST(DataLoader, ResumeYieldsTheRestOfAnUninterruptedEpoch) {
  for (int workers : {0, 2}) {
    data::DataLoader loader(numbered(23), {.batch_size = 4, .seed = 9, .workers = workers}, noisy,
                            soft_targets);
    const std::vector<data::Batch> whole = epoch_batches(loader, 3);
    for (int64_t skip : {0, 1, 4, 6}) {
      data::DataLoader resumed(numbered(23), {.batch_size = 4, .seed = 9, .workers = workers},
                               noisy, soft_targets);
      const std::vector<data::Batch> rest = epoch_batches(resumed, 3, skip);
      EXPECT_TRUE(same_batches(rest, {whole.begin() + skip, whole.end()})) << "skip " << skip;
      EXPECT_EQ(resumed.batches_done(), 6);
    }
  }
  data::DataLoader loader(numbered(23), {.batch_size = 4});
  EXPECT_TRUE(throws_error_containing([&] { loader.start_epoch(0, 7); },
                                      {"skip 7 batches of an epoch of 6"}));
}

TEST(DataLoader, RestartingAnEpochMidwayWithWorkersDoesNotHang) {
  data::DataLoader reference(numbered(40), {.batch_size = 3, .seed = 2, .workers = 0}, noisy);
  const std::vector<data::Batch> epoch1 = epoch_batches(reference, 1);
  data::DataLoader loader(numbered(40),
                          {.batch_size = 3, .seed = 2, .workers = 3, .prefetch_batches = 3}, noisy);
  for (int round = 0; round < 20; ++round) {
    loader.start_epoch(0);
    for (int k = 0; k < round % 4; ++k) ASSERT_TRUE(loader.next().has_value());
    EXPECT_EQ(loader.batches_done(), round % 4);
  }
  EXPECT_TRUE(same_batches(epoch_batches(loader, 1), epoch1));
  // Destroying a loader in the middle of an epoch joins its workers.
  for (int round = 0; round < 10; ++round) {
    data::DataLoader abandoned(numbered(40), {.batch_size = 2, .workers = 3}, noisy);
    abandoned.start_epoch(0);
    if (round % 2) abandoned.next();
  }
}

TEST(DataLoader, TransformExceptionSurfacesFromNext) {
  for (int workers : {0, 2}) {
    std::atomic<bool> fail{true};
    auto throwing = [&fail](const Tensor& sample, RandomStream&) {
      if (fail && sample.data<float>()[0] == 70.0f) throw std::runtime_error("bad row 7");
      return sample;
    };
    data::DataLoader loader(numbered(12), {.batch_size = 4, .shuffle = false, .workers = workers},
                            throwing);
    loader.start_epoch(0);
    ASSERT_TRUE(loader.next().has_value());  // rows 0..3
    try {
      loader.next();  // rows 4..7
      FAIL() << "expected the transform's exception";
    } catch (const std::runtime_error& e) {
      EXPECT_THAT(e.what(), HasSubstr("bad row 7"));
    }
    EXPECT_THROW(loader.next(), std::runtime_error);  // the epoch stays failed
    fail = false;
    EXPECT_EQ(epoch_batches(loader, 0).size(), 3u);  // start_epoch recovers
  }
}

TEST(DataLoader, BadOptionsAreClearErrors) {
  EXPECT_TRUE(throws_error_containing([] { data::DataLoader(numbered(5).subset({}), {}); },
                                      {"empty", "0 rows"}));
  EXPECT_TRUE(throws_error_containing([] { data::DataLoader(numbered(5), {.batch_size = 0}); },
                                      {"batch_size must be >= 1, got 0"}));
  EXPECT_TRUE(throws_error_containing([] { data::DataLoader(numbered(5), {.workers = -1}); },
                                      {"workers must be >= 0", "-1"}));
  EXPECT_TRUE(throws_error_containing(
      [] { data::DataLoader(numbered(5), {.batch_size = 8, .drop_last = true}); },
      {"batch_size 8", "drop_last", "5 rows"}));
  data::DataLoader loader(numbered(5), {.batch_size = 2, .workers = 1});
  EXPECT_TRUE(throws_error_containing([&] { loader.next(); }, {"start_epoch"}));
  EXPECT_EQ(loader.dataset().size(), 5);
  EXPECT_EQ(loader.options().batch_size, 2);
}
