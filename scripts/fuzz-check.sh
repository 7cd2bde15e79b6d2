#!/usr/bin/env bash
# Fuzzing (docs/fuzzing.md): builds the fuzz preset's targets (clang, libFuzzer, ASan + UBSan),
# replays every seed and every past finding through each target, then fuzzes each target for
# SECONDS from its corpus. A crash, a sanitizer report, a broken invariant or an input that takes
# longer than 10 s fails the run and leaves the input under build/fuzz/fuzzing/<target>/crashes/.
#
#   scripts/fuzz-check.sh [SECONDS] [TARGET...]   default 30 s each; all targets
#   FUZZ_FLAGS="-jobs=2 -workers=2" scripts/fuzz-check.sh 600 idx     more libFuzzer flags
#
# Targets: safetensors idx csv npy cifar image config checkpoint (tests/fuzz/fuzz_<target>.cpp). Inputs
# that reach new code are kept in build/fuzz/fuzzing/<target>/corpus, so a later run goes on
# from there; the committed seeds in tests/fuzz/corpus/ stay as they are.
set -euo pipefail
{  # read whole before it runs: editing this file during a run cannot change the run

repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors idx csv npy cifar image config checkpoint)
read -r -a extra_flags <<<"${FUZZ_FLAGS:-}"

log() { echo "fuzz-check: $*"; }

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)" --target "${targets[@]/#/fuzz_}"

failed=()
for target in "${targets[@]}"; do
  binary=build/fuzz/tests/fuzz/fuzz_$target
  seeds=tests/fuzz/corpus/$target
  findings=tests/fuzz/findings/$target
  work=build/fuzz/fuzzing/$target
  mkdir -p "$work/corpus" "$work/crashes"
  [ -x "$binary" ] && [ -d "$seeds" ] || { log "no target '$target'"; exit 2; }
  # CIFAR records are 3,073 or 3,074 bytes: let inputs hold a few of them.
  max_len=()
  [ "$target" = cifar ] && max_len=(-max_len=10000)

  # -runs=0: every seed and finding once, nothing else.
  if ! "$binary" -runs=0 "$seeds" "$findings" >"$work/replay.log" 2>&1; then
    tail -n 40 "$work/replay.log"
    log "$target: a seed or past finding fails (tests/fuzz/corpus/$target, $findings)"
    failed+=("$target")
    continue
  fi

  start=$(date +%s)
  if "$binary" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
       -artifact_prefix="$work/crashes/" "${max_len[@]}" "${extra_flags[@]}" \
       "$work/corpus" "$seeds" "$findings" >"$work/fuzz.log" 2>&1; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$work/fuzz.log" | tail -n 1 || true)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log" | tail -n 1)
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' <<<"$done_line" || true)
    log "$target: ${runs:-?} executions in $(( $(date +%s) - start )) s, ${cov:-cov ?}, no crash"
  else
    grep -E 'ERROR|SUMMARY|runtime error|invariant violated|Test unit written' "$work/fuzz.log" |
      head -n 20 || true
    log "$target: CRASH; log $work/fuzz.log, input in $work/crashes/ (docs/fuzzing.md: adding a finding)"
    failed+=("$target")
  fi
done

[ ${#failed[@]} -eq 0 ] || { log "failed: ${failed[*]}"; exit 1; }
log "${#targets[@]} targets: seeds and findings replayed, ${seconds} s of fuzzing each, no crash"
exit 0
}
