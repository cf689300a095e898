#!/usr/bin/env bash
# containerd 2.1's `ctr images pull` (its transfer service, from a local registry) three ways:
#   (a) containerd's overlayfs and its own differ (walking)
#   (b) Strata as snapshotter (strata-overlayfs), containerd's differ
#   (c) Strata as snapshotter and as differ (what `strata daemon --print-containerd-config` sets up)
# on the three images of pull-bench.sh (distro, small, big). Two containerds run side by side, one
# configured without Strata's differ (a, b) and one with it (c), each with a `strata daemon` of its
# own (two containerds must not share a snapshotter: each one's GC removes the other's snapshots).
# Every run starts with the image, its content and its snapshots removed and the page cache dropped,
# and ends with its `sync`; medians of --reps.
#
#   bench/differ-bench.sh [--data DIR] [--reps 3] [--images "distro small big"] [--skip-build]
#
# Needs root, docker-registry, skopeo, pigz (see pull-bench.sh), and containerd 2.1 in
# $STRATA_CONTAINERD2_HOME (default /opt/strata-tools/containerd-2.1; .ci/containerd2 fills it).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
c2="${STRATA_CONTAINERD2_HOME:-/opt/strata-tools/containerd-2.1}/usr/bin"
export PATH="$c2:$PATH:/opt/strata-tools/pigz/usr/bin"
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
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in docker-registry skopeo gzip tar pigz bc curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool" >&2; exit 1; }
done
[ -x "$c2/containerd" ] || { echo "missing containerd 2.1 in $c2 (run .ci/containerd2)" >&2; exit 1; }
if [ "$build" = 1 ]; then
  (cd "$here" && flock /tmp/strata-build.lock ./mvnw -B -o -q -DskipTests -pl strata-cli -am package)
fi

work=$(mktemp -d /tmp/strata-differ-bench.XXXX)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true; sleep 2
  for m in $(grep -o " $work[^ ]*" /proc/self/mounts | sort -r); do umount -l "$m" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
# shellcheck source=bench/pull-images.sh
. "$here/bench/pull-images.sh"

start_containerd() { # NAME DIFFER-FLAG
  local d="$work/$1"
  mkdir -p "$d"
  "$here/strata" daemon --address "$d/strata.sock" --root "$d/strata-root" \
    --containerd-root "$d/root" --containerd-address "$d/containerd.sock" > "$d/strata.log" 2>&1 &
  "$here/strata" daemon --print-containerd-config --format v3 "$2" --address "$d/strata.sock" > "$d/strata.toml"
  cat > "$d/config.toml" <<TOML
version = 3
root = "$d/root"
state = "$d/state"
imports = ["$d/strata.toml"]
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.runtime"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd.sock.ttrpc"
TOML
  containerd --config "$d/config.toml" > "$d/containerd.log" 2>&1 &
  until ctr --address "$d/containerd.sock" version >/dev/null 2>&1; do sleep 0.2; done
}
start_containerd without-differ --no-differ
start_containerd with-differ --differ

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wipe() { # CONTAINERD SNAPSHOTTER REF
  local c=(ctr --address "$work/$1/containerd.sock" -n bench)
  "${c[@]}" images rm --sync "$3" >/dev/null 2>&1 || true
  "${c[@]}" content prune references >/dev/null 2>&1 || true
  for s in $("${c[@]}" snapshots --snapshotter "$2" ls 2>/dev/null | awk 'NR>1 {print $1}' | tac); do
    "${c[@]}" snapshots --snapshotter "$2" rm "$s" >/dev/null 2>&1 || true
  done
}
pull() { # CONTAINERD SNAPSHOTTER REF: seconds of a cold pull
  wipe "$1" "$2" "$3"; drop
  local t0; t0=$(now)
  ctr --address "$work/$1/containerd.sock" -n bench images pull --plain-http --snapshotter "$2" "$3" >/dev/null; sync
  echo "$(now) - $t0" | bc
}

echo "containerd $(containerd --version | awk '{print $3}'), $(nproc) cores; ctr images pull (transfer service); medians of $reps, cold cache, each with its sync"
printf '%-7s %14s %14s %14s %10s %10s\n' image '(a) overlayfs' '(b) strata sn' '(c) sn+differ' 'a/c' 'b/c'
for n in $images; do
  a=(); b=(); c=()
  ref="$host/bench/$n:1"
  for r in $(seq "$reps"); do
    a+=("$(pull without-differ overlayfs "$ref")")
    b+=("$(pull without-differ strata-overlayfs "$ref")")
    c+=("$(pull with-differ strata-overlayfs "$ref")")
  done
  ma=$(printf '%s\n' "${a[@]}" | median); mb=$(printf '%s\n' "${b[@]}" | median); mc=$(printf '%s\n' "${c[@]}" | median)
  awk -v n="$n" -v a="$ma" -v b="$mb" -v c="$mc" \
    'BEGIN { printf "%-7s %12.2f s %12.2f s %12.2f s %9.2fx %9.2fx\n", n, a, b, c, a / c, b / c }'
done
echo "a/c: (a)'s time / (c)'s (>1: Strata as differ is faster; target > 1 on every image, >= 1.8 on small)"
