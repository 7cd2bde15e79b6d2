// DataLoader. Batches are pure functions of (seed, epoch, batch index): assemble() reads only
// the immutable dataset, the epoch's order and streams keyed by those numbers, so any thread
// may build any batch and the result is bitwise the same.
//
// Streams (all RandomStream, never the global generator, which workers must not touch):
//   epoch e's order       RandomStream(seed, e)
//   sample row i, epoch e RandomStream(seed ^ kSampleSalt, e * N + i)   injective since i < N
//   batch b, epoch e      RandomStream(seed ^ kBatchSalt, e * N + b)    b < N as well
// The salts keep the three families of keys apart.
//
// Threads: `workers` threads live as long as the loader. They claim batch indices in order
// (next_claim_), at most prefetch_batches ahead of the consumer, assemble them without the
// lock, and file them in slots_ keyed by batch index; next() waits for slot next_consume_, so
// batches come out in order whichever worker finishes first. start_epoch() bumps generation_:
// a worker still busy with an old batch drops it when it comes back, so nothing is cancelled
// mid-transform and nothing waits for it.
#include "nabla/data/loader.hpp"

#include <condition_variable>
#include <cstring>
#include <exception>
#include <map>
#include <mutex>
#include <numeric>
#include <thread>

#include "nabla/error.hpp"

namespace nabla::data {

namespace {
constexpr uint64_t kSampleSalt = 0xA5A5A5A5A5A5A5A5ull;
constexpr uint64_t kBatchSalt = 0x3C3C3C3C3C3C3C3Cull;

// One assembled batch, or the exception its assembly threw.
struct Slot {
  std::optional<Batch> batch;
  std::exception_ptr error;
};
}  // namespace

struct DataLoader::State {
  Dataset data;
  DataLoaderOptions options;
  SampleTransform sample_transform;
  BatchTransform batch_transform;
  int64_t rows = 0;
  Shape sample_shape;
  size_t row_floats = 0;
  int64_t batches = 0;  // per epoch

  // Consumer-side state, touched by the consumer only (read by workers under `mutex`).
  bool started = false;
  int64_t epoch = 0;
  std::shared_ptr<const std::vector<int64_t>> order;  // workers keep their own reference
  int64_t next_consume = 0;
  std::exception_ptr failure;  // a batch failed: every next() rethrows it until start_epoch
  std::optional<Shape> batch_sample_shape;  // the first batch's, for the cross-batch check

  // Shared with the workers.
  std::mutex mutex;
  std::condition_variable work_ready;   // workers wait: a batch to claim, or stop
  std::condition_variable batch_ready;  // the consumer waits: slot next_consume filled
  uint64_t generation = 0;
  int64_t next_claim = 0;
  std::map<int64_t, Slot> slots;
  bool stop = false;
  std::vector<std::thread> threads;

  Batch assemble(const std::vector<int64_t>& order, int64_t epoch, int64_t b) const;
  Tensor transformed_inputs(const std::vector<int64_t>& rows, int64_t epoch) const;
  void worker_loop();
  void stop_workers();  // joins them; safe to call twice
  std::vector<int64_t> order_of(int64_t epoch) const;
};

std::vector<int64_t> DataLoader::State::order_of(int64_t e) const {
  if (options.shuffle) {
    RandomStream rng(options.seed, static_cast<uint64_t>(e));
    return random_permutation(rows, rng);
  }
  std::vector<int64_t> order(static_cast<size_t>(rows));
  std::iota(order.begin(), order.end(), int64_t{0});
  return order;
}

// The sample transform applied to copies of `rows`, then stacked by memcpy. The first sample
// fixes the output shape; any other is an Error naming the row.
Tensor DataLoader::State::transformed_inputs(const std::vector<int64_t>& batch_rows,
                                             int64_t e) const {
  const float* source = data.inputs.data<float>();
  std::vector<Tensor> samples;
  samples.reserve(batch_rows.size());
  for (int64_t row : batch_rows) {
    Tensor sample = empty(sample_shape);
    std::memcpy(sample.data<float>(), source + static_cast<size_t>(row) * row_floats,
                row_floats * sizeof(float));
    RandomStream rng(options.seed ^ kSampleSalt, static_cast<uint64_t>(e * rows + row));
    Tensor out = sample_transform(sample, rng);
    NABLA_CHECK(out.defined(),
                "DataLoader: the sample transform returned an undefined tensor "
                "for row ",
                row, "; return the (changed) sample");
    NABLA_CHECK(is_floating(out.dtype()), "DataLoader: the sample transform returned ", out.dtype(),
                " for row ", row, "; return a float32 tensor");
    if (out.dtype() != DType::f32) out = out.to(DType::f32);
    out = out.contiguous();
    NABLA_CHECK(samples.empty() || out.shape() == samples.front().shape(),
                "DataLoader: the sample transform gave shape ", out.shape(), " for row ", row,
                " but ", samples.front().shape(), " for row ", batch_rows.front(),
                "; it must give every sample the same shape");
    samples.push_back(std::move(out));
  }
  Shape shape = samples.front().shape();
  shape.insert(shape.begin(), static_cast<int64_t>(samples.size()));
  Tensor inputs = empty(shape);
  const size_t floats = static_cast<size_t>(samples.front().numel());
  for (size_t k = 0; k < samples.size(); ++k)
    std::memcpy(inputs.data<float>() + k * floats, samples[k].data<float>(),
                floats * sizeof(float));
  return inputs;
}

Batch DataLoader::State::assemble(const std::vector<int64_t>& order, int64_t e, int64_t b) const {
  const int64_t begin = b * options.batch_size;
  const int64_t end = std::min(begin + options.batch_size, rows);
  Batch batch;
  batch.indices.assign(order.begin() + begin, order.begin() + end);
  const auto count = static_cast<int64_t>(batch.indices.size());
  // Class indices [N] int64 or target rows [N, T] float32: copied row by row as bytes.
  Shape target_shape = data.targets.shape();
  target_shape[0] = count;
  batch.targets = empty(target_shape, {.dtype = data.targets.dtype()});
  const size_t target_row_bytes = static_cast<size_t>(data.targets.numel() / rows) *
                                  dtype_size(data.targets.dtype());
  const auto* target_source = static_cast<const unsigned char*>(data.targets.data_ptr());
  auto* target_rows = static_cast<unsigned char*>(batch.targets.data_ptr());
  for (int64_t k = 0; k < count; ++k)
    std::memcpy(target_rows + static_cast<size_t>(k) * target_row_bytes,
                target_source + static_cast<size_t>(batch.indices[static_cast<size_t>(k)]) * target_row_bytes,
                target_row_bytes);
  if (sample_transform) {
    batch.inputs = transformed_inputs(batch.indices, e);
  } else {
    Shape shape = sample_shape;
    shape.insert(shape.begin(), count);
    batch.inputs = empty(shape);
    const float* source = data.inputs.data<float>();
    float* target = batch.inputs.data<float>();
    for (int64_t k = 0; k < count; ++k)
      std::memcpy(target + static_cast<size_t>(k) * row_floats,
                  source + static_cast<size_t>(batch.indices[static_cast<size_t>(k)]) * row_floats,
                  row_floats * sizeof(float));
  }
  if (batch_transform) {
    RandomStream rng(options.seed ^ kBatchSalt, static_cast<uint64_t>(e * rows + b));
    batch_transform(batch, rng);
    NABLA_CHECK(batch.inputs.defined() && batch.targets.defined() && batch.inputs.dim() >= 1 &&
                    batch.targets.dim() >= 1 && batch.inputs.size(0) == count &&
                    batch.targets.size(0) == count,
                "DataLoader: the batch transform left inputs of shape ",
                batch.inputs.defined() ? batch.inputs.shape() : Shape{}, " and targets of shape ",
                batch.targets.defined() ? batch.targets.shape() : Shape{},
                "; both must keep the batch's ", count, " rows in dim 0");
  }
  return batch;
}

void DataLoader::State::worker_loop() {
  std::unique_lock lock(mutex);
  while (true) {
    work_ready.wait(lock, [&] {
      return stop || (started && next_claim < batches &&
                      next_claim < next_consume + options.prefetch_batches);
    });
    if (stop) return;
    const int64_t b = next_claim++;
    const uint64_t claimed_generation = generation;
    const int64_t e = epoch;
    const std::shared_ptr<const std::vector<int64_t>> claimed_order = order;
    lock.unlock();
    Slot slot;
    try {
      slot.batch = assemble(*claimed_order, e, b);
    } catch (...) {
      slot.error = std::current_exception();
    }
    lock.lock();
    if (claimed_generation != generation) continue;  // the epoch was restarted: drop it
    slots.emplace(b, std::move(slot));
    batch_ready.notify_all();
  }
}

DataLoader::DataLoader(Dataset data, DataLoaderOptions options, SampleTransform sample_transform,
                       BatchTransform batch_transform)
    : state_(std::make_unique<State>()) {
  State& s = *state_;
  NABLA_CHECK(data.size() > 0,
              "DataLoader: the dataset is empty (0 rows); check the reader's "
              "path and limit, or the split fractions");
  const bool class_targets = data.targets.defined() && data.targets.dtype() == DType::i64 &&
                            data.targets.dim() == 1;
  const bool value_targets = data.targets.defined() && data.targets.dtype() == DType::f32 &&
                             data.targets.dim() == 2;
  NABLA_CHECK((class_targets || value_targets) && data.targets.size(0) == data.size(),
              "DataLoader: targets must be int64 [", data.size(), "] (classes) or float32 [",
              data.size(), ", T] (regression, multi-label) to match inputs of shape ",
              data.inputs.shape(), "; build the dataset with make_dataset or make_target_dataset");
  NABLA_CHECK(is_floating(data.inputs.dtype()), "DataLoader: inputs hold ", data.inputs.dtype(),
              "; convert them with .to(DType::f32)");
  NABLA_CHECK(options.batch_size >= 1, "DataLoader: batch_size must be >= 1, got ",
              options.batch_size, "; 32 to 256 is usual");
  NABLA_CHECK(options.workers >= 0,
              "DataLoader: workers must be >= 0 (0 assembles batches on "
              "the caller's thread), got ",
              options.workers);
  NABLA_CHECK(options.prefetch_batches >= 1, "DataLoader: prefetch_batches must be >= 1, got ",
              options.prefetch_batches);
  s.rows = data.size();
  NABLA_CHECK(!options.drop_last || options.batch_size <= s.rows, "DataLoader: batch_size ",
              options.batch_size, " with drop_last leaves no batch of the ", s.rows,
              " rows; lower batch_size or set drop_last = false");
  data.inputs = data.inputs.detach().to(DType::f32).contiguous();
  data.targets = data.targets.detach().contiguous();
  s.data = std::move(data);
  s.options = options;
  s.sample_transform = std::move(sample_transform);
  s.batch_transform = std::move(batch_transform);
  s.sample_shape = s.data.sample_shape();
  s.row_floats = static_cast<size_t>(shape_numel(s.sample_shape));
  s.batches = options.drop_last ? s.rows / options.batch_size
                                : (s.rows + options.batch_size - 1) / options.batch_size;
  try {
    for (int w = 0; w < options.workers; ++w) s.threads.emplace_back([&s] { s.worker_loop(); });
  } catch (...) {  // no destructor runs for a half-built loader: stop the threads started
    s.stop_workers();
    throw;
  }
}

void DataLoader::State::stop_workers() {
  {
    std::lock_guard lock(mutex);
    stop = true;
  }
  work_ready.notify_all();
  for (std::thread& thread : threads) thread.join();
  threads.clear();
}

DataLoader::~DataLoader() { state_->stop_workers(); }

const Dataset& DataLoader::dataset() const { return state_->data; }
const DataLoaderOptions& DataLoader::options() const { return state_->options; }
int64_t DataLoader::batches_per_epoch() const { return state_->batches; }

std::vector<int64_t> DataLoader::epoch_order(int64_t epoch) const {
  NABLA_CHECK(epoch >= 0, "DataLoader::epoch_order: epoch must be >= 0, got ", epoch);
  return state_->order_of(epoch);
}

void DataLoader::start_epoch(int64_t epoch, int64_t skip_batches) {
  State& s = *state_;
  NABLA_CHECK(epoch >= 0, "DataLoader::start_epoch: epoch must be >= 0, got ", epoch);
  NABLA_CHECK(skip_batches >= 0 && skip_batches <= s.batches,
              "DataLoader::start_epoch: cannot "
              "skip ",
              skip_batches, " batches of an epoch of ", s.batches, "; skip between 0 and ",
              s.batches);
  auto order = std::make_shared<const std::vector<int64_t>>(s.order_of(epoch));
  std::map<int64_t, Slot> stale;  // destroyed after the lock is released
  {
    std::lock_guard lock(s.mutex);
    ++s.generation;
    s.started = true;
    s.epoch = epoch;
    s.order = std::move(order);
    s.next_consume = skip_batches;
    s.next_claim = skip_batches;
    s.failure = nullptr;
    stale.swap(s.slots);
  }
  s.work_ready.notify_all();
}

std::optional<Batch> DataLoader::next() {
  State& s = *state_;
  NABLA_CHECK(s.started, "DataLoader::next: no epoch started; call start_epoch(epoch) first");
  if (s.failure) std::rethrow_exception(s.failure);
  if (s.next_consume >= s.batches) return std::nullopt;
  Slot slot;
  if (s.threads.empty()) {
    try {
      slot.batch = s.assemble(*s.order, s.epoch, s.next_consume);
    } catch (...) {
      slot.error = std::current_exception();
    }
    ++s.next_consume;
  } else {
    std::unique_lock lock(s.mutex);
    s.batch_ready.wait(lock, [&] { return s.slots.count(s.next_consume) > 0; });
    auto node = s.slots.extract(s.next_consume);
    slot = std::move(node.mapped());
    ++s.next_consume;
    lock.unlock();
    s.work_ready.notify_all();
  }
  if (slot.error) {
    s.failure = slot.error;
    std::rethrow_exception(slot.error);
  }
  const Shape shape(slot.batch->inputs.shape().begin() + 1, slot.batch->inputs.shape().end());
  if (!s.batch_sample_shape) s.batch_sample_shape = shape;
  NABLA_CHECK(shape == *s.batch_sample_shape, "DataLoader: batch ", s.next_consume - 1,
              " of epoch ", s.epoch, " has samples of shape ", shape, " but earlier batches had ",
              *s.batch_sample_shape, "; the transforms must give every sample the same shape");
  return std::move(slot.batch);
}

int64_t DataLoader::batches_done() const { return state_->next_consume; }

}  // namespace nabla::data
