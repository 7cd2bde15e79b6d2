#!/usr/bin/env bash
# Installs the Debian packages nabla builds and tests with (DESIGN.md, Dependencies), quietly
# and only when missing, so every Makefile target can call it first.
#   scripts/install-deps.sh          build + test dependencies
#   scripts/install-deps.sh bench    + PyTorch 1.13 (python3-torch), the benchmark peer
set -euo pipefail

packages=(
  g++ cmake ninja-build make pkg-config
  libgtest-dev libgmock-dev libbenchmark-dev
  libopenblas-openmp-dev
  # float32 convolution (src/backend/cpu/conv_onednn.cpp). Linked by its library file, not its
  # CMake package, which demands OpenCL headers nabla's CPU-only use never needs
  # (cmake/nablaDependencies.cmake); scripts/fresh-machine-check.sh proves the list on a new root.
  libdnnl-dev
  libcli11-dev libtomlplusplus-dev nlohmann-json3-dev libfmt-dev zlib1g-dev
  libpng-dev libturbojpeg0-dev  # image files (src/data/image_io.cpp)
  libcsv-dev  # CSV records, RFC 4180 (src/data/csv.cpp)
  dataset-fashion-mnist
  python3-venv  # the test venv with tensorboard (below)
  chromium  # tests/report open report.html headless
  graphviz  # dot draws the autograd graph in report.html (optional at run time; tested here)
  # The sanitizer and fuzzing checks (docs/fuzzing.md): clang with libFuzzer and the sanitizer
  # runtimes, its OpenMP, llvm-symbolizer for readable stacks, and valgrind.
  clang-14 libclang-rt-14-dev libomp-14-dev llvm valgrind
)
if [ "${1:-}" = "bench" ]; then packages+=(python3-torch python3-numpy); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# TensorBoard's reader for the tensorboard_reads_nabla_events test: not in Debian, so from PyPI
# into a virtual environment of Debian's python3 (tests/CMakeLists.txt, NABLA_TEST_VENV).
install_tensorboard() {
  local venv="${NABLA_TEST_VENV:-$HOME/.cache/nabla/test-venv}"
  "$venv/bin/python" -c "import tensorboard" 2>/dev/null && return 0
  echo "install-deps: installing tensorboard into $venv"
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check tensorboard
}

# Only the tensorboard_reads_nabla_events test needs it; a machine that cannot reach PyPI (the
# fresh-machine check's root has no proxy certificate) still builds and installs nabla, and that
# test then says what is missing.
try_tensorboard() {
  install_tensorboard || echo "install-deps: warning: tensorboard could not be installed from PyPI; the tensorboard_reads_nabla_events test will fail until it is" >&2
}

if [ ${#missing[@]} -eq 0 ]; then try_tensorboard; exit 0; fi

echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
apt_install() { $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
# A fresh machine may have no package lists yet: update once and retry.
if ! apt_install; then
  $sudo apt-get update -qq >/dev/null
  apt_install
fi
try_tensorboard
