#include "nabla/random.hpp"

#include <cmath>
#include <mutex>
#include <numeric>

#include "core/philox.hpp"
#include "nabla/error.hpp"

namespace nabla {

namespace {
std::mutex generator_mutex;
GeneratorState global_state{.seed = 0x5eed, .offset = 0};
}  // namespace

void manual_seed(uint64_t seed) { set_generator_state({.seed = seed, .offset = 0}); }

GeneratorState generator_state() {
  std::lock_guard lock(generator_mutex);
  return global_state;
}

void set_generator_state(GeneratorState state) {
  std::lock_guard lock(generator_mutex);
  global_state = state;
}

GeneratorState advance_generator(uint64_t blocks) {
  std::lock_guard lock(generator_mutex);
  GeneratorState at = global_state;
  global_state.offset += blocks;
  return at;
}

namespace {
// SplitMix64's finaliser: spreads (seed, stream) over the 64-bit key so nearby streams differ.
uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
}  // namespace

RandomStream::RandomStream(uint64_t seed, uint64_t stream) : key_(mix(seed ^ mix(stream))) {}

double RandomStream::uniform() {
  if (pending_left_ == 0) {
    philox::uniform_pair(key_, counter_++, pending_);
    pending_left_ = 2;
  }
  return pending_[2 - pending_left_--];
}

double RandomStream::uniform(double low, double high) { return low + (high - low) * uniform(); }

double RandomStream::normal() {
  const double u1 = 1.0 - uniform();  // (0, 1]: log stays finite
  const double u2 = uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

uint64_t RandomStream::below(uint64_t n) {
  NABLA_CHECK(n >= 1, "RandomStream::below: n must be >= 1, got ", n);
  // 53-bit uniforms: the bias for any n below 2^32 is under 2^-21, far below what a shuffle or
  // an augmentation can show.
  return static_cast<uint64_t>(uniform() * static_cast<double>(n)) % n;
}

std::vector<int64_t> random_permutation(int64_t n, RandomStream& rng) {
  NABLA_CHECK(n >= 0, "random_permutation: n must be >= 0, got ", n);
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  for (int64_t i = n - 1; i > 0; --i)
    std::swap(order[static_cast<size_t>(i)], order[rng.below(static_cast<uint64_t>(i) + 1)]);
  return order;
}

}  // namespace nabla
