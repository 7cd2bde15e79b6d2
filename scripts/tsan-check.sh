#!/usr/bin/env bash
# ThreadSanitizer on nabla's threaded code (docs/fuzzing.md): builds the tsan preset (the library,
# the nabla command and only the tests of the data loader's worker threads and of the tune
# runner's trial processes) and runs those tests. Any report fails the run, including one from a
# `nabla train` child process of the tune tests, whose stderr no test reads: every process
# writes its reports to build/tsan/tsan-reports/.
#
#   scripts/tsan-check.sh
#
# OpenMP and OpenBLAS run on one thread (OMP_NUM_THREADS=1, OPENBLAS_NUM_THREADS=1): libgomp is
# not built with ThreadSanitizer, so TSan cannot see its barriers and would report every
# parallel loop as a race. The threads under test are nabla's own std::threads and processes.
set -euo pipefail
{  # read whole before it runs: editing this file during a run cannot change the run

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
reports=$repo/build/tsan/tsan-reports

cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$(nproc)"
rm -rf "$reports"
mkdir -p "$reports"
status=0
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  TSAN_OPTIONS="log_path=$reports/report second_deadlock_stack=1 history_size=4" \
  ctest --test-dir build/tsan --output-on-failure -j "$(nproc)" || status=$?
if compgen -G "$reports/report*" >/dev/null; then
  cat "$reports"/report* | head -n 200
  echo "tsan-check: ThreadSanitizer reports above (all in $reports)" >&2
  exit 1
fi
[ "$status" -eq 0 ] || { echo "tsan-check: tests failed" >&2; exit "$status"; }
echo "tsan-check: $(ctest --test-dir build/tsan -N | sed -n 's/^Total Tests: //p') tests, no ThreadSanitizer report"
exit 0
}
