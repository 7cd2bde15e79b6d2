// cuda_available(): compiled in every build, so code can ask without #ifdefs; without the
// cuda preset the answer is simply no.
#include "nabla/device.hpp"

#ifdef NABLA_HAS_CUDA
#include <cuda_runtime.h>
#endif

namespace nabla {

bool cuda_available() {
#ifdef NABLA_HAS_CUDA
  // Asked once: the answer cannot change while the process runs.
  static const bool available = [] {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
      (void)cudaGetLastError();  // no driver / no device: clear the error, answer no
      return false;
    }
    return count > 0;
  }();
  return available;
#else
  return false;
#endif
}

}  // namespace nabla
