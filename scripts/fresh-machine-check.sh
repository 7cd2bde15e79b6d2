#!/usr/bin/env bash
# Proves that a new Debian 12 machine sets nabla up with nothing but what the repository installs.
#
#   scripts/fresh-machine-check.sh            check the committed HEAD of this checkout
#   scripts/fresh-machine-check.sh REV        check another commit (e.g. one expected to fail)
#
# In a minimal Debian 12 root (debootstrap --variant=minbase bookworm, from the mirror this
# machine's own apt sources name) it runs, on a clean clone of REV:
#   scripts/install-deps.sh; configure (the `package` preset); build the nabla command and the
#   .deb; nabla --version; a short training run (spiral, a few epochs); then installs the .deb and
#   builds and runs tests/consumer, a project outside the tree, with find_package(nabla) and with
#   pkg-config.
# The bootstrapped base root is cached between runs (NABLA_FRESH_CACHE, default
# /var/cache/nabla-fresh-machine); packages are installed anew in every run. Needs root.
set -euo pipefail
{  # read whole before it runs: editing this file during a run cannot change the run

repo=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-HEAD}
cache_dir=${NABLA_FRESH_CACHE:-/var/cache/nabla-fresh-machine}
suite=bookworm

log() { echo "fresh-machine-check: $*"; }
die() { echo "fresh-machine-check: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap and chroot)"
commit=$(git -C "$repo" rev-parse --verify "$rev^{commit}") || die "no commit '$rev' in $repo"

# The host tools this check itself needs (not nabla's dependencies).
for tool in debootstrap:debootstrap unshare:util-linux; do
  command -v "${tool%%:*}" >/dev/null && continue
  log "installing ${tool#*:}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${tool#*:}" \
    >/dev/null || { apt-get update -qq >/dev/null &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${tool#*:}" \
    >/dev/null; }
done

# "URI SUITE" for each Debian bookworm archive this machine's apt sources name (one-line
# sources.list entries and deb822 .sources stanzas alike); never a host written into the repo.
debian_archives() {
  local files=()
  [ -f /etc/apt/sources.list ] && files+=(/etc/apt/sources.list)
  for f in /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk -v suite="$suite" '
    function emit(uris, suites,   u, s, nu, ns, i, j) {
      nu = split(uris, u, " "); ns = split(suites, s, " ")
      for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++)
        if (s[j] ~ "^" suite "(-|/|$)") print u[i], s[j]
    }
    FNR == 1 { if (uris != "") emit(uris, suites); uris = ""; suites = "" }
    /^[ \t]*deb[ \t]/ {
      n = 2; if ($2 ~ /^\[/) { while ($n !~ /\]$/) n++; n++ }
      emit($n, $(n + 1)); next
    }
    /^URIs:/    { sub(/^URIs:[ \t]*/, ""); uris = $0; next }
    /^Suites:/  { sub(/^Suites:[ \t]*/, ""); suites = $0; next }
    /^[ \t]*$/  { if (uris != "") emit(uris, suites); uris = ""; suites = "" }
    END         { if (uris != "") emit(uris, suites) }
  ' "${files[@]}" | awk '!seen[$0]++'
}
archives=$(debian_archives)
mirror=$(echo "$archives" | awk -v s="$suite" '$2 == s { print $1; exit }')
[ -n "$mirror" ] || die "no '$suite' archive in /etc/apt/sources.list or /etc/apt/sources.list.d"
log "mirror $mirror (from this machine's apt sources); checking commit ${commit:0:12}"

# The base root: bootstrapped once per machine and kept as a tarball, so each run starts from
# the same untouched minimal system.
base="$cache_dir/$suite-minbase.tar"
if [ ! -f "$base" ]; then
  log "bootstrapping a minimal $suite root (cached in $base for later runs)"
  mkdir -p "$cache_dir"
  tmp_root=$(mktemp -d "$cache_dir/bootstrap.XXXXXX")
  debootstrap --variant=minbase "$suite" "$tmp_root" "$mirror" >"$cache_dir/debootstrap.log" 2>&1 ||
    { rm -rf --one-file-system "$tmp_root"; die "debootstrap failed: see $cache_dir/debootstrap.log"; }
  tar -C "$tmp_root" -cf "$base.tmp" . && mv "$base.tmp" "$base"
  rm -rf --one-file-system "$tmp_root"
fi

work=$(mktemp -d /tmp/nabla-fresh.XXXXXX)
cleanup() { rm -rf --one-file-system "$work"; }
trap cleanup EXIT
root="$work/root"
mkdir "$root"
tar -C "$root" -xf "$base"
echo "$archives" | awk '{ print "deb " $1 " " $2 " main" }' >"$root/etc/apt/sources.list"
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# The source as a clean clone of the commit, as CI has it (the root has no git).
git clone --quiet --no-checkout "$repo" "$root/src/nabla"
git -C "$root/src/nabla" checkout --quiet "$commit"
rm -rf "$root/src/nabla/.git"

cat >"$root/check.sh" <<CHECK
set -euo pipefail
step() { echo "fresh-machine-check: [\$(date +%T)] \$*"; }
cd /src/nabla
step "scripts/install-deps.sh"
scripts/install-deps.sh
# Commits from before the package preset are checked with the release preset.
preset=package
grep -q '"name": "package"' CMakePresets.json || preset=release
step "configure (\$preset preset)"
cmake --preset \$preset -DNABLA_GIT_COMMIT=${commit:0:12} >/dev/null
step "build the nabla command"
cmake --build --preset \$preset -j "\$(nproc)" --target nabla_cli
step "nabla --version"
build/\$preset/tools/nabla/nabla --version
step "train the spiral example for 3 epochs"
build/\$preset/tools/nabla/nabla train examples/spiral.toml --set train.epochs=3 --out /tmp/spiral-run
test -s /tmp/spiral-run/model.safetensors
if [ ! -d tests/consumer ]; then step "no tests/consumer at this commit: done"; exit 0; fi
step "package the .deb and install it"
cmake --build --preset package -j "\$(nproc)"
(cd build/package && cpack -G DEB >/dev/null)
deb=\$(ls build/package/nabla_*.deb)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "./\$deb" >/dev/null
dpkg-query -W nabla
step "the installed nabla runs on OpenBLAS's OpenMP build"
nabla --version | tee /tmp/version.txt
grep -q USE_OPENMP /tmp/version.txt
# ...by its run path, not by chance: where the pthread build is installed too, Debian's
# alternatives would otherwise give it to nabla.
readelf -d /usr/bin/nabla | grep -q 'R.*PATH.*openblas-openmp'
step "consumer project with find_package(nabla)"
cmake -S tests/consumer -B /tmp/consumer -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build /tmp/consumer
/tmp/consumer/nabla_consumer /tmp/consumer-model.safetensors
step "consumer project with pkg-config"
g++ -O1 tests/consumer/consumer.cpp -o /tmp/consumer-pc \$(pkg-config --cflags --libs nabla)
/tmp/consumer-pc /tmp/consumer-pc-model.safetensors
step "passed"
CHECK

log "running the check inside the fresh root"
status=0
unshare --mount --propagation private -- sh -c '
  mount -t proc proc "$1/proc" && mount -t tmpfs tmpfs "$1/tmp" &&
  { mount -t devpts devpts "$1/dev/pts" 2>/dev/null || true; } &&
  exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 chroot "$1" bash /check.sh' sh "$root" || status=$?
if [ "$status" -ne 0 ]; then
  die "FAILED (exit $status) for commit ${commit:0:12}: a new Debian 12 machine cannot set nabla up"
fi
log "passed for commit ${commit:0:12}"
exit
}
