// One global seed drives every random stream. Numbers come from Philox-4x32-10, a
// counter-based generator: element i of a draw depends only on (seed, offset + i), so results
// do not depend on thread count or device, and a draw can be replayed from (seed, offset).
#pragma once

#include <cstdint>

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

}  // namespace nabla
