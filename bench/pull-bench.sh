#!/usr/bin/env bash
# Pull + unpack from a local registry: `strata pull` (the launcher, as a user runs it) beside
# containerd (`ctr images pull`, overlayfs) and beside `pigz -dc | tar -x` of the same blobs (each
# layer into its own directory), on three images this script builds from the files of /usr:
#   distro  2 layers: ~150 MB of real binaries and libraries, and a small one (like a distribution image)
#   small   1 layer: every /usr file under 16 KiB (about 100k entries)
#   big     2 layers: one big file each (~1 GiB, compressible like real data)
# Every timed run starts with the page cache dropped and ends with its `sync`; medians of --reps.
#
#   bench/pull-bench.sh [--data DIR] [--reps 3] [--images "distro small big"] [--skip-build]
#
# Needs root, docker-registry, skopeo, containerd (ctr), gzip, tar, and pigz (on PATH, or
# unpacked into /opt/strata-tools/pigz: apt-get download pigz && dpkg -x pigz_*.deb /opt/strata-tools/pigz).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$PATH:/opt/strata-tools/pigz/usr/bin"
data=/tmp/strata-pull-bench-data
reps=3
images="distro small big"
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --images) images="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in docker-registry skopeo ctr containerd gzip tar pigz bc; do
  command -v "$tool" >/dev/null || [ -x "/usr/bin/$tool" ] || { echo "missing $tool" >&2; exit 1; }
done
if [ "$build" = 1 ]; then
  (cd "$here" && flock /tmp/strata-build.lock ./mvnw -B -o -q -DskipTests -pl strata-cli -am package)
fi

work=$(mktemp -d /tmp/strata-pull-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 1; umount -R "$work"/containerd-root 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=bench/pull-images.sh
. "$here/bench/pull-images.sh"

mkdir -p "$work/containerd-root" "$work/containerd-state"
cat > "$work/containerd.toml" <<TOML
version = 2
root = "$work/containerd-root"
state = "$work/containerd-state"
[grpc]
  address = "$work/containerd.sock"
TOML
containerd --config "$work/containerd.toml" > "$work/containerd.log" 2>&1 &
until ctr --address "$work/containerd.sock" version >/dev/null 2>&1; do sleep 0.2; done
ctr_() { ctr --address "$work/containerd.sock" -n bench "$@"; }

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "containerd $(containerd --version | awk '{print $3}'), pigz $(pigz --version 2>&1 | awk '{print $2}'), $(nproc) cores; medians of $reps, cold cache, each with its sync"
printf '%-7s %12s %12s %12s %14s %14s\n' image strata containerd 'pigz|tar' 'vs containerd' 'vs pigz|tar'
for n in $images; do
  ct=(); st=(); pt=()
  for r in $(seq "$reps"); do
    ctr_ images rm "$host/bench/$n:1" >/dev/null 2>&1 || true
    ctr_ content prune references >/dev/null 2>&1 || true
    for s in $(ctr_ snapshots ls 2>/dev/null | awk 'NR>1 {print $1}'); do ctr_ snapshots rm "$s" >/dev/null 2>&1 || true; done
    drop; t0=$(now)
    ctr_ images pull --plain-http --snapshotter overlayfs "$host/bench/$n:1" >/dev/null; sync
    ct+=("$(echo "$(now) - $t0" | bc)")

    rm -rf "$work/strata-root"; drop; t0=$(now)
    "$here/strata" pull --root "$work/strata-root" --plain-http "$host/bench/$n:1" >/dev/null; sync
    st+=("$(echo "$(now) - $t0" | bc)")

    rm -rf "$work/tar"; drop; t0=$(now)
    for l in $(layers_of "$n"); do
      mkdir -p "$work/tar/$l"; pigz -dc "$data/$l.tar.gz" | tar -C "$work/tar/$l" -x
    done; sync
    pt+=("$(echo "$(now) - $t0" | bc)")
  done
  c=$(printf '%s\n' "${ct[@]}" | median); s=$(printf '%s\n' "${st[@]}" | median); p=$(printf '%s\n' "${pt[@]}" | median)
  awk -v n="$n" -v c="$c" -v s="$s" -v p="$p" \
    'BEGIN { printf "%-7s %10.2f s %10.2f s %10.2f s %13.2fx %13.2fx\n", n, s, c, p, c / s, s / p }'
done
echo "vs containerd: containerd's time / strata's (>1: strata faster); vs pigz|tar: strata's time / theirs (target <= 1.5)"
