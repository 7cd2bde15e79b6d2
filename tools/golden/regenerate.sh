#!/usr/bin/env bash
# Regenerates every golden file under tests/fixtures/ from PyTorch (python3-torch) or NumPy.
# Each generator seeds torch and runs single-threaded, so unchanged scripts give byte-identical
# files.
set -euo pipefail
cd "$(dirname "$0")"
for script in make_*.py; do
  /usr/bin/python3 "$script"
done
