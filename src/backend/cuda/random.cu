// Random fills from counter-based Philox (core/philox.hpp, shared with the CPU): element 2j and
// 2j+1 take the two uniforms of block (seed, offset + j), exactly as the CPU kernel does, so a
// seed gives the same stream on either device. uniform and randint use only Philox's integer
// arithmetic and IEEE double products (identical draws); normal's log, sqrt, cos and sin come
// from CUDA's math library, within an ulp or two of glibc's in float64 (so float32 draws agree
// but for rare last-bit differences).
#include "backend/cuda/launch.cuh"
#include "core/philox.hpp"

namespace nabla::cuda {

namespace {

enum class Draw : int { uniform, normal, randint };

// A float rounding of u in [0, 1) can reach 1.0f; step back below it (the CPU's below_one).
template <class T> __device__ double below_one(double x) {
  if constexpr (std::is_same_v<T, float>)
    return static_cast<float>(x) < 1.0f ? x : static_cast<double>(0x1.fffffep-1f);
  return x;
}

template <class T>
__global__ void random_kernel(T* out, int64_t n, uint64_t seed, uint64_t offset, Draw draw,
                              double a, double b) {
  const int64_t pairs = (n + 1) / 2;
  for (int64_t j = first_index(); j < pairs; j += grid_stride()) {
    double u[2];
    philox::uniform_pair(seed, offset + static_cast<uint64_t>(j), u);
    double v[2];
    if (draw == Draw::uniform) {
      v[0] = a + (b - a) * below_one<T>(u[0]);
      v[1] = a + (b - a) * below_one<T>(u[1]);
    } else if (draw == Draw::normal) {
      // Box-Muller; 1 - u keeps the log's argument in (0, 1].
      const double radius = sqrt(-2.0 * log(1.0 - u[0]));
      const double angle = 2.0 * M_PI * u[1];
      v[0] = a + b * radius * cos(angle);
      v[1] = a + b * radius * sin(angle);
    } else {  // randint in [a, b)
      v[0] = a + floor(u[0] * (b - a));
      v[1] = a + floor(u[1] * (b - a));
    }
    out[2 * j] = static_cast<T>(v[0]);
    if (2 * j + 1 < n) out[2 * j + 1] = static_cast<T>(v[1]);
  }
}

}  // namespace

void CudaBackend::random(OpId op, const View& dst, uint64_t seed, uint64_t offset, double a,
                         double b) {
  NABLA_CHECK(dst.strides == contiguous_strides(dst.shape),
              "random fill: the cuda kernel needs a contiguous destination");
  const int64_t n = dst.numel();
  if (n == 0) return;
  const Draw draw = op == OpId::uniform ? Draw::uniform
                    : op == OpId::normal ? Draw::normal
                                         : Draw::randint;
  NABLA_CHECK(op == OpId::uniform || op == OpId::normal || op == OpId::randint, "cuda random: '",
              op_name(op), "' is not a random fill");
  const int64_t pairs = (n + 1) / 2;
  visit_any(dst.dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    if constexpr (std::is_same_v<T, bool>) {
      NABLA_FAIL(op_name(op), ": no random fill for bool");
    } else {
      random_kernel<T><<<blocks_for(pairs), kThreads, 0, stream_>>>(dst.ptr<T>(), n, seed,
                                                                     offset, draw, a, b);
      NABLA_CUDA_CHECK_LAUNCH();
    }
  });
}

}  // namespace nabla::cuda
