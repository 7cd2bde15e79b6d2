#!/usr/bin/env bash
# Runs nabla's tensor benchmark and its PyTorch twin interleaved (A B A B ...) and prints one
# Markdown table (bench/table.py). Builds nothing: `make bench` builds, then calls this.
#   bench/run.sh                          3 rounds, 2 threads
#   ROUNDS=5 NABLA_BENCH_THREADS=1 bench/run.sh
# The environment is set here, not inherited, except OPENBLAS_CORETYPE, which is passed through
# as it is and reported: it moves OpenBLAS (both frameworks') by ~2x (shared/BENCHMARKING.md).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=${NABLA_BENCH_BIN:-build/bench/bench/tensor_bench}
rounds=${ROUNDS:-3}
threads=${NABLA_BENCH_THREADS:-2}
python=/usr/bin/python3  # Debian's python3-torch (PyTorch 1.13) lives here
[ -x "$bin" ] || { echo "bench/run.sh: $bin missing; run 'make bench'" >&2; exit 1; }

export NABLA_BENCH_THREADS=$threads OMP_NUM_THREADS=$threads
# nabla links the OpenMP build of OpenBLAS, which runs on nabla's own OpenMP pool, so giving it
# $threads cannot oversubscribe. PyTorch links Debian's default libblas (the pthread build, a
# second pool beside its OpenMP one): OPENBLAS_NUM_THREADS=1 there, as BENCHMARKING.md says.
nabla_env=(env OPENBLAS_NUM_THREADS="$threads")
torch_env=(env OPENBLAS_NUM_THREADS=1)

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)}; threads $threads (OMP_NUM_THREADS=$threads;" \
     "OPENBLAS_NUM_THREADS=$threads for nabla, 1 for PyTorch); $rounds rounds"
for r in $(seq 1 "$rounds"); do
  "${nabla_env[@]}" "$bin" --benchmark_format=json --benchmark_repetitions=5 \
    --benchmark_min_time=0.2 --benchmark_report_aggregates_only=true >"$out/nabla_$r.json"
  "${torch_env[@]}" "$python" bench/torch/tensor_bench.py >"$out/torch_$r.tsv"
  echo "round $r done, load $(cut -d' ' -f1 /proc/loadavg)" >&2
done
echo
"$python" bench/table.py "$out"
