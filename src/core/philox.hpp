// Philox-4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11): a
// counter-based generator, the one PyTorch and cuRAND use. Block `counter` under key `seed`
// is a pure function, so any thread or device computes any element without shared state.
// Header-only and free of std:: so CUDA kernels can include it.
#pragma once

#include <cstdint>

#ifdef __CUDACC__
#define NABLA_HOST_DEVICE __host__ __device__
#else
#define NABLA_HOST_DEVICE
#endif

namespace nabla::philox {

struct Block {
  uint32_t word[4];
};

NABLA_HOST_DEVICE inline void mulhilo(uint32_t a, uint32_t b, uint32_t& hi, uint32_t& lo) {
  const uint64_t product = static_cast<uint64_t>(a) * b;
  hi = static_cast<uint32_t>(product >> 32);
  lo = static_cast<uint32_t>(product);
}

NABLA_HOST_DEVICE inline Block generate(uint64_t seed, uint64_t counter) {
  uint32_t c0 = static_cast<uint32_t>(counter), c1 = static_cast<uint32_t>(counter >> 32);
  uint32_t c2 = 0, c3 = 0;
  uint32_t k0 = static_cast<uint32_t>(seed), k1 = static_cast<uint32_t>(seed >> 32);
  for (int round = 0; round < 10; ++round) {
    uint32_t hi0, lo0, hi1, lo1;
    mulhilo(0xD2511F53u, c0, hi0, lo0);
    mulhilo(0xCD9E8D57u, c2, hi1, lo1);
    const uint32_t n0 = hi1 ^ c1 ^ k0, n1 = lo1, n2 = hi0 ^ c3 ^ k1, n3 = lo0;
    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return Block{{c0, c1, c2, c3}};
}

// Uniform in [0, 1) with 53 random bits, from two words.
NABLA_HOST_DEVICE inline double to_unit(uint32_t high, uint32_t low) {
  const uint64_t bits = (static_cast<uint64_t>(high) << 21) ^ (low >> 11);
  return static_cast<double>(bits & ((uint64_t{1} << 53) - 1)) * (1.0 / 9007199254740992.0);
}

// The two uniforms of a block: element 2j takes u[0] of block j, element 2j+1 takes u[1].
NABLA_HOST_DEVICE inline void uniform_pair(uint64_t seed, uint64_t counter, double u[2]) {
  const Block b = generate(seed, counter);
  u[0] = to_unit(b.word[0], b.word[1]);
  u[1] = to_unit(b.word[2], b.word[3]);
}

}  // namespace nabla::philox
