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

# ---- the images' layers, built once into $data ------------------------------------------------
mkdir -p "$data"
layer() { # NAME: tar (from $data/NAME.lst of paths under /) and its gzip
  [ -s "$data/$1.tar.gz" ] && return
  tar -C / --sort=name --warning=no-file-changed -cf "$data/$1.tar" -T "$data/$1.lst" 2>/dev/null || [ -s "$data/$1.tar" ]
  pigz -6 -n -c "$data/$1.tar" > "$data/$1.tar.gz"
}
if [ ! -s "$data/all.lst" ]; then
  find /usr -xdev -type f -readable -printf '%s\t%P\n' 2>/dev/null | sort -t$'\t' -k2 > "$data/all.lst"
fi
[ -s "$data/distro1.lst" ] || awk -F'\t' '$2 ~ /^(bin|sbin|lib\/x86_64-linux-gnu)\// { if (sum + $1 > 150000000) next; sum += $1; print "usr/" $2 }' "$data/all.lst" > "$data/distro1.lst"
[ -s "$data/distro2.lst" ] || awk -F'\t' '$2 ~ /^share\/(doc|man)\// { if (sum + $1 > 12000000) next; sum += $1; print "usr/" $2 }' "$data/all.lst" > "$data/distro2.lst"
[ -s "$data/small.lst" ] || awk -F'\t' '$1 < 16384 { print "usr/" $2 }' "$data/all.lst" > "$data/small.lst"
for n in distro1 distro2 small; do layer "$n"; done
for i in 1 2; do # one ~1 GiB file per layer: /usr's larger files end to end, in two different orders
  [ -s "$data/big$i.tar.gz" ] && continue
  d="$data/big$i"; mkdir -p "$d/data"
  awk -F'\t' '$1 >= 65536 { print "/usr/" $2 }' "$data/all.lst" | { [ "$i" = 1 ] && cat || tac; } \
    | xargs -d '\n' cat 2>/dev/null | head -c 1073741824 > "$d/data/blob-$i.bin" || true
  (cd "$d" && tar --sort=name -cf "$data/big$i.tar" data)
  pigz -6 -n -c "$data/big$i.tar" > "$data/big$i.tar.gz"
  rm -rf "$d"
done
layers_of() { case "$1" in distro) echo "distro1 distro2" ;; small) echo small ;; big) echo "big1 big2" ;; esac; }

work=$(mktemp -d /tmp/strata-pull-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 1; umount -R "$work"/containerd-root 2>/dev/null || true; rm -rf "$work"' EXIT
sha() { sha256sum "$1" | cut -d' ' -f1; }
layout() { # NAME LAYER...: an OCI layout of gzip layers
  local name="$1" dir="$work/layout-$1" cfg man msize diffs="" descs="" l gz
  shift
  mkdir -p "$dir/blobs/sha256"
  for l in "$@"; do
    gz=$(sha "$data/$l.tar.gz"); cp "$data/$l.tar.gz" "$dir/blobs/sha256/$gz"
    diffs="$diffs${diffs:+,}\"sha256:$(sha "$data/$l.tar")\""
    descs="$descs${descs:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$gz\",\"size\":$(stat -c %s "$data/$l.tar.gz")}"
  done
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$diffs" > "$dir/cfg"
  cfg=$(sha "$dir/cfg"); mv "$dir/cfg" "$dir/blobs/sha256/$cfg"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[%s]}' \
    "$cfg" "$(stat -c %s "$dir/blobs/sha256/$cfg")" "$descs" > "$dir/man"
  man=$(sha "$dir/man"); msize=$(stat -c %s "$dir/man"); mv "$dir/man" "$dir/blobs/sha256/$man"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' "$man" "$msize" > "$dir/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' "$work/registry" "$host" > "$work/registry.yml"
/usr/bin/docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
until curl -sf "http://$host/v2/" >/dev/null; do sleep 0.2; done
for n in $images; do
  # shellcheck disable=SC2046
  layout "$n" $(layers_of "$n")
  skopeo --insecure-policy copy --dest-tls-verify=false "oci:$work/layout-$n:1" "docker://$host/bench/$n:1" >/dev/null
done

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
    "$here/strata" pull --root "$work/strata-root" --plain-http "$host" "$host/bench/$n:1" >/dev/null; sync
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
