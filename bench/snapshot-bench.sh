#!/usr/bin/env bash
# Times prepare/stat/commit/remove per op (p50, p99, ops/s) for each backend, 1 and 64 callers,
# durable and with the metastore's fsync off, plus the raw fsync/syncfs cost. Run as root.
# Usage: bench/snapshot-bench.sh [--root DIR] [--ops N] [--threads 1,64]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
(cd "$here" && ./mvnw -B -q -DskipTests -pl strata-bench -am package)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -jar "$here/strata-bench/target/strata-bench.jar" "$@"
