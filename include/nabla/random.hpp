// One global seed drives every random stream. Numbers come from Philox-4x32-10, a
// counter-based generator: element i of a draw depends only on (seed, offset + i), so results
// do not depend on thread count or device, and a draw can be replayed from (seed, offset).
#pragma once
#pragma GCC visibility push(default)

#include <cstdint>
#include <vector>

namespace nabla {

void manual_seed(uint64_t seed);  // resets the offset too

// The generator's position, for checkpoints: restore it and the same numbers follow.
struct GeneratorState {
  uint64_t seed = 0;
  uint64_t offset = 0;  // in 128-bit Philox blocks consumed so far
};
GeneratorState generator_state();
void set_generator_state(GeneratorState state);

// Reserves `blocks` Philox blocks for one draw and returns where they start.
GeneratorState advance_generator(uint64_t blocks);

// A private stream of random numbers for one purpose (one epoch's shuffle, one sample's
// augmentation), apart from the global generator: its numbers depend only on (seed, stream)
// and how many were drawn before, never on threads or on other streams. Not thread-safe; give
// each thread its own.
//
//   RandomStream rng(seed, /*stream=*/epoch);   // the same order every run, on any thread
class RandomStream {
 public:
  RandomStream(uint64_t seed, uint64_t stream);
  double uniform();                                 // [0, 1), 53 random bits
  double uniform(double low, double high);          // [low, high)
  double normal();                                  // standard normal (Box-Muller)
  uint64_t below(uint64_t n);                       // uniform integer in [0, n), n >= 1
  bool bernoulli(double p) { return uniform() < p; }

 private:
  uint64_t key_;
  uint64_t counter_ = 0;
  double pending_[2] = {0.0, 0.0};  // the two uniforms of the current Philox block
  int pending_left_ = 0;
};

// 0, 1, ..., n-1 in a Fisher–Yates order drawn from `rng` (torch.randperm with a generator):
// the same stream state gives the same permutation on any machine.
std::vector<int64_t> random_permutation(int64_t n, RandomStream& rng);

}  // namespace nabla

#pragma GCC visibility pop
