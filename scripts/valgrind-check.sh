#!/usr/bin/env bash
# valgrind's memcheck on one short training run of the portable release build (docs/fuzzing.md):
# the spiral example for one epoch, which reads the config, builds the data and the model,
# trains, evaluates, checkpoints and writes the report. Any memcheck error or definite leak fails.
# (A -march=native build may use instructions valgrind cannot run: it stops with SIGILL.)
#
#   scripts/valgrind-check.sh [NABLA]     default build/release/tools/nabla/nabla (make build)
set -euo pipefail
{  # read whole before it runs: editing this file during a run cannot change the run

repo=$(cd "$(dirname "$0")/.." && pwd)
nabla=${1:-$repo/build/release/tools/nabla/nabla}
[ -x "$nabla" ] || { echo "valgrind-check: no $nabla; build it first (make build)" >&2; exit 2; }
out=$(mktemp -d "${TMPDIR:-/tmp}/nabla-valgrind.XXXXXX")
trap 'rm -rf "$out"' EXIT

# One thread: valgrind runs threads one at a time anyway, and OpenMP's spinning workers would
# only slow it down.
start=$(date +%s)
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 \
  valgrind --tool=memcheck --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite \
           --log-file="$out/memcheck.log" \
           "$nabla" train "$repo/examples/spiral.toml" --set train.epochs=1 --out "$out/run" \
           >"$out/train.log" 2>&1 || {
  status=$?
  tail -n 20 "$out/train.log"
  grep -A 30 -m 3 -E '^==[0-9]+== [A-Z].*(Invalid|uninitialised|Mismatched|definitely lost)' \
    "$out/memcheck.log" || tail -n 60 "$out/memcheck.log"
  echo "valgrind-check: memcheck failed (exit $status)" >&2
  exit 1
}
grep -E 'ERROR SUMMARY' "$out/memcheck.log" | tail -n 1
echo "valgrind-check: nabla train (spiral, 1 epoch) clean under memcheck in $(( $(date +%s) - start )) s"
exit 0
}
