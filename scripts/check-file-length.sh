#!/usr/bin/env bash
# Fails when a source file passes 800 lines (DESIGN.md, Style: small files with one job).
set -euo pipefail
root=${1:-$(dirname "$0")/..}
limit=800
status=0
while IFS= read -r -d '' file; do
  lines=$(wc -l <"$file")
  if [ "$lines" -gt "$limit" ]; then
    echo "$file: $lines lines (limit $limit); split it by responsibility" >&2
    status=1
  fi
done < <(find "$root/include" "$root/src" "$root/tests" "$root/tools" "$root/bench" "$root/examples" \
           "$root/dev" -type f \( -name '*.cpp' -o -name '*.hpp' -o -name '*.h' -o -name '*.cu' \
           -o -name '*.cuh' -o -name '*.py' \) -print0 2>/dev/null)
exit $status
