// DataLoader: minibatches of a Dataset in a seeded order, assembled on background threads
// while the model trains on the previous batch (the notes' "use multiple CPU threads to
// prefetch data").
//
// Determinism: epoch e's order is a permutation drawn from RandomStream(seed, e); sample i's
// transform in epoch e draws from its own stream keyed by (seed, e, i), and batch b's batch
// transform (mixup) from one keyed by (seed, e, b). So the batches are bitwise the same for any
// number of worker threads, and a resumed run that starts at (epoch, batch) sees what an
// uninterrupted one saw. The exact keys (src/data/loader.cpp), with N rows:
//   order      RandomStream(seed, e)                   Fisher–Yates; identity without shuffle
//   sample i   RandomStream(seed ^ 0xA5A5A5A5A5A5A5A5, e * N + i)
//   batch b    RandomStream(seed ^ 0x3C3C3C3C3C3C3C3C, e * N + b)
// Batch b holds rows order[b * B, min((b + 1) * B, N)); drop_last drops a short final batch.
//
// Threads: transforms run on the worker threads, several at once, so they must not share
// mutable state (draw randomness only from the stream they are given, never the global
// generator). Batches come out in order; at most prefetch_batches are assembled ahead of the
// consumer. next() and start_epoch() belong to one consumer thread. start_epoch() in the
// middle of an epoch drops the batches prepared for it; a batch still being assembled is
// finished and discarded. A transform's exception is rethrown by next(), and every next()
// after it rethrows it too until start_epoch().
//
//   data::DataLoader loader(train, {.batch_size = 64, .seed = 1, .workers = 2});
//   for (int64_t epoch = 0; epoch < 10; ++epoch) {
//     loader.start_epoch(epoch);
//     while (auto batch = loader.next()) step(batch->inputs, batch->targets);
//   }
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "nabla/data/dataset.hpp"
#include "nabla/random.hpp"

namespace nabla::data {

struct Batch {
  Tensor inputs;   // [B, ...] float32
  Tensor targets;  // [B] int64 class indices, or [B, C] float32 probabilities after mixup
  std::vector<int64_t> indices;  // the dataset rows, in batch order
};

// Transforms one sample ([...], a copy the transform may change or replace) on a loader thread.
using SampleTransform = std::function<Tensor(const Tensor& sample, RandomStream& rng)>;
// Transforms an assembled batch (mixup); it may replace targets with soft ones.
using BatchTransform = std::function<void(Batch& batch, RandomStream& rng)>;

struct DataLoaderOptions {
  int64_t batch_size = 64;
  bool shuffle = true;
  bool drop_last = false;
  uint64_t seed = 0;
  int workers = 2;           // background threads; 0 assembles batches on the caller's
  int prefetch_batches = 4;  // batches assembled ahead of the consumer, at most
};

class DataLoader {
 public:
  DataLoader(Dataset data, DataLoaderOptions options, SampleTransform sample_transform = {},
             BatchTransform batch_transform = {});
  ~DataLoader();  // stops and joins the workers
  DataLoader(const DataLoader&) = delete;
  DataLoader& operator=(const DataLoader&) = delete;

  const Dataset& dataset() const;
  const DataLoaderOptions& options() const;
  int64_t batches_per_epoch() const;
  // The row order of `epoch` (the identity without shuffle).
  std::vector<int64_t> epoch_order(int64_t epoch) const;

  // Starts `epoch`, skipping its first `skip_batches` batches (resuming mid-epoch).
  void start_epoch(int64_t epoch, int64_t skip_batches = 0);
  // The next batch of the current epoch, or nullopt once it is over. A transform's exception
  // is rethrown here, on the consumer's thread.
  std::optional<Batch> next();
  // Batches handed out so far in the current epoch, counting skipped ones.
  int64_t batches_done() const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace nabla::data

#pragma GCC visibility pop
