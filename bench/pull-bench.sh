#!/usr/bin/env bash
# Pull + unpack from a local registry, Strata side by side with containerd (`ctr images pull`,
# overlayfs), same images, same registry, cold page cache, one run.
#
#   bench/pull-bench.sh [--data DIR] [--reps N] [--skip-build]
#
# Images: one layer each, made from bench/layer-bench.sh's inputs (run that once first, or this
# builds them): small (~100k files under 16 KiB from /usr, gzip) and big (~1 GiB, gzip). Needs root,
# docker-registry, skopeo, containerd (ctr), gzip.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
data=/tmp/strata-layer-bench
reps=2
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
[ -s "$data/big.tar.gz" ] || "$here/bench/layer-bench.sh" --data "$data" --reps 1 >/dev/null
if [ "$build" = 1 ]; then
  (cd "$here" && flock /tmp/strata-build.lock ./mvnw -B -o -q -DskipTests -pl strata-cli -am package)
fi
jar="$here/strata-cli/target/strata.jar"
work=$(mktemp -d /tmp/strata-pull-bench.XXXX)
trap 'kill $(jobs -p) 2>/dev/null || true; sleep 1; umount -R "$work"/containerd-root 2>/dev/null || true; rm -rf "$work"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }
# layout NAME TAR GZ: an OCI layout with one gzip layer.
layout() {
  local dir="$work/layout-$1" diff gz cfg man
  mkdir -p "$dir/blobs/sha256"
  diff=$(sha "$2"); gz=$(sha "$3"); cp "$3" "$dir/blobs/sha256/$gz"
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diff" > "$dir/cfg"
  cfg=$(sha "$dir/cfg"); mv "$dir/cfg" "$dir/blobs/sha256/$cfg"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%d}]}' \
    "$cfg" "$(stat -c %s "$dir/blobs/sha256/$cfg")" "$gz" "$(stat -c %s "$3")" > "$dir/man"
  man=$(sha "$dir/man"); local msize; msize=$(stat -c %s "$dir/man"); mv "$dir/man" "$dir/blobs/sha256/$man"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' "$man" "$msize" > "$dir/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' "$work/registry" "$host" > "$work/registry.yml"
/usr/bin/docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
until curl -sf "http://$host/v2/" >/dev/null; do sleep 0.2; done
for n in small big; do
  layout "$n" "$data/$n.tar" "$data/$n.tar.gz"
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

drop() { sync; echo 3 > /proc/sys/vm/drop_caches; }
now() { date +%s.%N; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
echo "image   containerd (ctr pull)   strata (strata pull)   strata/containerd speed"
for n in small big; do
  ct=(); st=()
  for r in $(seq "$reps"); do
    ctr --address "$work/containerd.sock" -n bench images rm "$host/bench/$n:1" >/dev/null 2>&1 || true
    ctr --address "$work/containerd.sock" -n bench content prune references >/dev/null 2>&1 || true
    for s in $(ctr --address "$work/containerd.sock" -n bench snapshots ls 2>/dev/null | awk 'NR>1 {print $1}'); do
      ctr --address "$work/containerd.sock" -n bench snapshots rm "$s" >/dev/null 2>&1 || true
    done
    drop; t0=$(now)
    ctr --address "$work/containerd.sock" -n bench images pull --plain-http --snapshotter overlayfs "$host/bench/$n:1" >/dev/null
    t1=$(now); ct+=("$(echo "$t1 - $t0" | bc)")
    rm -rf "$work/strata-root"; drop; t0=$(now)
    "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$jar" pull --root "$work/strata-root" \
      --plain-http "$host" "$host/bench/$n:1" >/dev/null
    t1=$(now); st+=("$(echo "$t1 - $t0" | bc)")
  done
  c=$(printf '%s\n' "${ct[@]}" | median); s=$(printf '%s\n' "${st[@]}" | median)
  awk -v n="$n" -v c="$c" -v s="$s" 'BEGIN { printf "%-7s %10.2f s %22.2f s %20.2fx\n", n, c, s, c / s }'
done
