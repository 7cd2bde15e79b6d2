// Threads. nabla's loops and OpenBLAS share one OpenMP pool (Debian's OpenMP build of
// OpenBLAS), so set_num_threads(n) sets both and nothing oversubscribes the cores.
#pragma once
#pragma GCC visibility push(default)

namespace nabla {

void set_num_threads(int threads);  // >= 1
int get_num_threads();

}  // namespace nabla

#pragma GCC visibility pop
