#include "nabla/random.hpp"

#include <mutex>

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

}  // namespace nabla
