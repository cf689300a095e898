#!/usr/bin/env bash
# What publishing events costs: prepare/commit/remove on a durable backend without and with the
# root's event journal, the journal's append rate, and how soon another process sees an event.
# Run as root. Usage: bench/events-bench.sh [--root DIR] [--ops N] [--backend overlayfs|native|block]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
(cd "$here" && ./mvnw -B -q -DskipTests -pl strata-bench -am package)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$here/strata-bench/target/strata-bench.jar" \
  io.strata.bench.EventsBench "$@"
