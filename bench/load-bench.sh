#!/usr/bin/env bash
# LoadTest run longer: 100 clients on their own connections to a Strata server on a unix socket
# prepare, commit, stat, walk, list and remove snapshots for 120 s on overlayfs, then on native.
# Prints p50/p99/max per operation, the ledger check and the heap after GC at start, middle and
# end. Run as root (the backends mount).
# Usage: bench/load-bench.sh [--seconds N] [--clients N]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
seconds=120 clients=100
while [[ $# -gt 0 ]]; do
  case "$1" in
    --seconds) seconds="$2"; shift 2 ;;
    --clients) clients="$2"; shift 2 ;;
    *) echo "usage: $0 [--seconds N] [--clients N]" >&2; exit 2 ;;
  esac
done
status=0
(cd "$here" && ./mvnw -B -q -pl strata-grpc -am test -Dtest=LoadTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dstrata.load.seconds="$seconds" -Dstrata.load.clients="$clients") || status=$?
awk '/^load test on /,/^heap after GC/' "$here/strata-grpc/target/surefire-reports/io.strata.grpc.LoadTest-output.txt"
exit "$status"
