#!/usr/bin/env bash
# Strata's daemon vs containerd's built-in overlayfs, through the same snapshots gRPC client:
# prepare/stat/commit/remove p50, p99 and ops/s with 1, 16 and 64 callers. Also containerd with
# Strata as its proxy snapshotter. Starts a private containerd and strata daemon under
# /var/tmp/strata-daemon-bench and stops them at the end. Run as root; needs containerd.
# Usage: bench/daemon-bench.sh [--ops N] [--threads 1,16,64]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
java="$JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED"
(cd "$here" && ./mvnw -B -q -DskipTests -pl strata-cli,strata-bench -am package)
work=/var/tmp/strata-daemon-bench
rm -rf "$work"; mkdir -p "$work"
cleanup() {
  [[ -n "${cpid:-}" ]] && kill "$cpid" 2>/dev/null; [[ -n "${spid:-}" ]] && kill "$spid" 2>/dev/null
  [[ -n "${spid2:-}" ]] && kill "$spid2" 2>/dev/null
  wait 2>/dev/null || true
  grep -o " $work[^ ]*" /proc/self/mounts | sort -r | xargs -r -n1 umount -l || true
  rm -rf "$work"
}
trap cleanup EXIT
# Two daemons: containerd's GC removes every backend snapshot it has no record of, so the one
# behind containerd must not be shared with the direct client.
$java -jar "$here/strata-cli/target/strata.jar" daemon --address "$work/strata.sock" --root "$work/strata" &
spid=$!
$java -jar "$here/strata-cli/target/strata.jar" daemon --address "$work/strata-proxied.sock" --root "$work/strata-proxied" &
spid2=$!
cat > "$work/containerd.toml" <<TOML
version = 2
root = "$work/containerd/root"
state = "$work/containerd/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
[proxy_plugins]
  [proxy_plugins.strata]
    type = "snapshot"
    address = "$work/strata-proxied.sock"
TOML
containerd --config "$work/containerd.toml" --log-level warn 2>"$work/containerd.log" &
cpid=$!
for _ in $(seq 100); do [[ -S "$work/containerd.sock" && -S "$work/strata.sock" && -S "$work/strata-proxied.sock" ]] && break; sleep 0.1; done
$java -cp "$here/strata-bench/target/strata-bench.jar" io.strata.bench.DaemonBench "$@" \
  "strata=$work/strata.sock:overlayfs" \
  "containerd=$work/containerd.sock:overlayfs:bench" \
  "ctrd+strata=$work/containerd.sock:strata:bench"
