#!/usr/bin/env bash
# Runs nabla's benchmarks and their PyTorch twins interleaved (A B A B ...) and prints the
# Markdown tables (bench/table.py). Builds nothing: `make bench` builds, then calls this.
#   bench/run.sh                          3 rounds, 2 threads, tensor ops and training steps
#   ROUNDS=5 NABLA_BENCH_THREADS=1 bench/run.sh
#   BENCH_SET=train bench/run.sh          only the training steps (or BENCH_SET=tensor)
#   BENCH_SET=hsoftmax bench/run.sh       only full against hierarchical softmax (not in "all")
#   TORCH_MALLOC=tuned bench/run.sh       PyTorch with glibc malloc told to keep freed memory
# The environment is set here, not inherited, except OPENBLAS_CORETYPE, which is passed through
# as it is and reported: it moves OpenBLAS (both frameworks') by ~2x (shared/BENCHMARKING.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${NABLA_BENCH_BIN:-build/bench/bench/tensor_bench}
train_bin=${NABLA_TRAIN_BENCH_BIN:-build/bench/bench/train_bench}
hsoftmax_bin=${NABLA_HSOFTMAX_BENCH_BIN:-build/bench/bench/hsoftmax_bench}
set_=${BENCH_SET:-all}
rounds=${ROUNDS:-3}
threads=${NABLA_BENCH_THREADS:-2}
python=/usr/bin/python3  # Debian's python3-torch (PyTorch 1.13) lives here
needed=("$bin" "$train_bin")
[ "$set_" = tensor ] && needed=("$bin")
[ "$set_" = train ] && needed=("$train_bin")
[ "$set_" = hsoftmax ] && needed=("$hsoftmax_bin")
for b in "${needed[@]}"; do
  [ -x "$b" ] || { echo "bench/run.sh: $b missing; run 'make bench'" >&2; exit 1; }
done

export NABLA_BENCH_THREADS=$threads OMP_NUM_THREADS=$threads
# nabla links the OpenMP build of OpenBLAS, which runs on nabla's own OpenMP pool, so giving it
# $threads cannot oversubscribe. PyTorch links Debian's default libblas (the pthread build, a
# second pool beside its OpenMP one): OPENBLAS_NUM_THREADS=1 there, as BENCHMARKING.md says.
nabla_env=(env OPENBLAS_NUM_THREADS="$threads")
torch_env=(env OPENBLAS_NUM_THREADS=1)
# TORCH_MALLOC=tuned: glibc keeps freed memory instead of unmapping and re-faulting PyTorch's
# large activations every step (BENCHMARKING.md, pitfall 3; 32 MiB is glibc's largest mmap
# threshold, above every activation of the reference models); nabla's caching allocator does
# the same for nabla, so this is the like-for-like setting. Default: glibc's defaults.
if [ "${TORCH_MALLOC:-default}" = tuned ]; then
  torch_env+=(GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=4294967296)
fi

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)}; PyTorch malloc ${TORCH_MALLOC:-default}; threads $threads (OMP_NUM_THREADS=$threads;" \
     "OPENBLAS_NUM_THREADS=$threads for nabla, 1 for PyTorch); $rounds rounds"
gbench=(--benchmark_format=json --benchmark_repetitions=5 --benchmark_report_aggregates_only=true)
for r in $(seq 1 "$rounds"); do
  : >"$out/torch_$r.tsv"
  if [ "$set_" = hsoftmax ]; then
    "${nabla_env[@]}" "$hsoftmax_bin" "${gbench[@]}" --benchmark_min_time=0.5 >"$out/hsoftmax_$r.json"
    "${torch_env[@]}" "$python" bench/torch/hsoftmax_bench.py >>"$out/torch_$r.tsv"
  fi
  if [ "$set_" != train ] && [ "$set_" != hsoftmax ]; then
    "${nabla_env[@]}" "$bin" "${gbench[@]}" --benchmark_min_time=0.2 >"$out/nabla_$r.json"
    "${torch_env[@]}" "$python" bench/torch/tensor_bench.py >>"$out/torch_$r.tsv"
  fi
  if [ "$set_" != tensor ] && [ "$set_" != hsoftmax ]; then
    "${nabla_env[@]}" "$train_bin" "${gbench[@]}" --benchmark_min_time=0.5 >"$out/train_$r.json"
    "${torch_env[@]}" "$python" bench/torch/train_bench.py >>"$out/torch_$r.tsv"
  fi
  echo "round $r done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
echo
"$python" bench/table.py "$out"
