#include "nabla/parallel.hpp"

#include <omp.h>

#include "nabla/error.hpp"

extern "C" void openblas_set_num_threads(int);  // OpenBLAS's own setter (cblas.h has it too)

namespace nabla {

void set_num_threads(int threads) {
  NABLA_CHECK(threads >= 1, "set_num_threads: need at least 1 thread, got ", threads);
  omp_set_num_threads(threads);
  openblas_set_num_threads(threads);
}

int get_num_threads() { return omp_get_max_threads(); }

}  // namespace nabla
