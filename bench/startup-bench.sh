#!/usr/bin/env bash
# Start-up of `strata daemon` beside a Go reference (containerd's own overlayfs snapshotter served
# over the same gRPC API), each started cold N times and dialled exactly as containerd dials a proxy
# plugin (bench/startup/probe: non-blocking dial, backoff max 3 s, calls without WaitForReady, a Stat
# every 10 ms until answered). Prints medians: when the socket appears, when the first call is
# answered, calls that failed after the socket existed, and the first 1,000 Stats / 200
# Prepare+Commit against the same after warm-up (cold/warm ratio). Run as root; needs Go and
# containerd's Go sources (golang-go golang-github-containerd-containerd-dev).
# Usage: bench/startup-bench.sh [runs, default 5]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
runs="${1:-5}"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
work=/var/tmp/strata-startup-bench
rm -rf "$work"; mkdir -p "$work/bin"
trap 'rm -rf "$work"' EXIT
(cd "$here" && ./mvnw -B -q -DskipTests -pl strata-cli -am package) > "$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
for tool in probe refserver; do
  (cd "$here/bench/startup/$tool" && GO111MODULE=off GOPATH="$work/gopath:/usr/share/gocode" GOCACHE="$work/gocache" \
     GOPROXY=off CGO_ENABLED=0 go build -o "$work/bin/$tool" .)
done
jar="$here/strata-cli/target/strata.jar"
aot="$here/strata-cli/target/strata.aot"
java=("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1)

# One line of medians per contender: socket, first answer, failed calls, stat cold/warm, prep+commit cold/warm.
measure() {
  local name="$1" snapshotter="$2"; shift 2
  : > "$work/$name.tsv"
  for _ in $(seq "$runs"); do
    rm -rf "$work/run"; mkdir -p "$work/run/root"
    local argv=("$@")
    argv=("${argv[@]//@SOCK@/$work/run/s.sock}")
    argv=("${argv[@]//@ROOT@/$work/run/root}")
    "$work/bin/probe" -tsv -socket "$work/run/s.sock" -snapshotter "$snapshotter" -log "$work/$name.log" -- "${argv[@]}" \
      >> "$work/$name.tsv"
  done
  local m=()
  for i in 1 2 3 4 5 6 7; do
    m+=("$(cut -f"$i" "$work/$name.tsv" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')")
  done
  awk -v name="$name" -v s="${m[*]}" 'BEGIN { split(s, m, " ");
    printf "%-22s %9.0f %12.0f %7d %10.0f %9.0f %6.2fx %12.0f %11.0f %6.2fx\n", name, m[1], m[2], m[3],
      m[4], m[5], m[4] / m[5], m[6], m[7], m[6] / m[7] }'
}

printf "%d cold starts each, medians (ms)\n" "$runs"
printf "%-22s %9s %12s %7s %10s %9s %7s %12s %11s %7s\n" "" socket first-answer failed \
  stat1k-cold stat1k-warm ratio prep200-cold prep200-warm ratio
measure "go overlayfs (ref)" overlayfs "$work/bin/refserver" @SOCK@ @ROOT@
measure "strata (AOT cache)" strata-overlayfs "${java[@]}" -XX:AOTCache="$aot" -Xlog:aot=off -Xlog:cds=off \
  -jar "$jar" daemon --address @SOCK@ --root @ROOT@
measure "strata (no AOT)" strata-overlayfs "${java[@]}" -jar "$jar" daemon --address @SOCK@ --root @ROOT@
