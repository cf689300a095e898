#!/usr/bin/env bash
# Prepare latency (p50, p99) of the block backend with reflinks (its root on an xfs loop file
# system) and with sparse copies (its root on the host's file system, ext4 here), side by side with
# overlayfs, as ratios; on a parent holding --parent-mb MiB of files and without parent. Run as
# root; needs mkfs.ext4 and mkfs.xfs. Builds with `package` (not `install`: the jars in ~/.m2 stay).
# Usage: bench/block-bench.sh [--root DIR] [--ops N] [--parent-mb M]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
(cd "$here" && ./mvnw -B -q -DskipTests -pl strata-bench -am package)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$here/strata-bench/target/strata-bench.jar" \
  io.strata.bench.BlockPrepareBench "$@"
