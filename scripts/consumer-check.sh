#!/usr/bin/env bash
# Builds tests/consumer with nabla pulled in by add_subdirectory (what FetchContent does) as a
# shared library, runs it, and checks that libnabla.so exports nabla's API and hides the rest.
# The installed-package path (find_package, pkg-config) is scripts/fresh-machine-check.sh's.
#   scripts/consumer-check.sh [BUILD_DIR]      (default build/consumer-shared)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$repo/build/consumer-shared}

cmake -S "$repo/tests/consumer" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DNABLA_SOURCE_DIR="$repo" -DBUILD_SHARED_LIBS=ON >/dev/null
cmake --build "$build" -j "$(nproc)"
"$build/nabla_consumer" "$build/consumer_model.safetensors"

library=$(ls "$build"/nabla/libnabla.so.*.*.*)
readelf -d "$library" | grep -q "SONAME.*libnabla\.so\.[0-9]*\.[0-9]*\]" ||
  { echo "consumer-check: $library has no versioned soname" >&2; exit 1; }
exported=$(nm -DC --defined-only "$library")
for api in 'nabla::Tensor::backward' 'nabla::nn::Module::state_dict' 'nabla::io::save_safetensors' \
           'typeinfo for nabla::Error'; do
  grep -qF "$api" <<<"$exported" || { echo "consumer-check: $api is not exported" >&2; exit 1; }
done
internal=$(grep -cE ' nabla::(cpu|cuda|philox)::' <<<"$exported" || true)
[ "$internal" -eq 0 ] ||
  { echo "consumer-check: libnabla.so exports $internal internal symbols (nabla::cpu, ...)" >&2; exit 1; }
echo "consumer-check: add_subdirectory + shared libnabla: built, ran, exports only the API"
