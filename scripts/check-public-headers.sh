#!/usr/bin/env bash
# Fails when a public header does not mark its declarations as nabla's API. libnabla.so is built
# with hidden visibility; each header under include/nabla switches default visibility on for its
# declarations (#pragma GCC visibility push(default) ... pop), and one that forgets would make
# its functions vanish from the shared library while the static build still links.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
status=0
while IFS= read -r -d '' header; do
  pushes=$(grep -c '^#pragma GCC visibility push(default)$' "$header" || true)
  pops=$(grep -c '^#pragma GCC visibility pop$' "$header" || true)
  if [ "$pushes" -ne 1 ] || [ "$pops" -ne 1 ]; then
    echo "$header: needs '#pragma GCC visibility push(default)' after '#pragma once' and" \
         "'#pragma GCC visibility pop' at the end (found $pushes push, $pops pop)" >&2
    status=1
  fi
done < <(find "$root/include" -name '*.hpp' -print0)
exit $status
