#!/usr/bin/env bash
# SHA-256 throughput, the JDK's against libcrypto's (FFM), as a pull pays it: under the `strata`
# launcher's JVM flags (C1 only, for start-up) and under the JVM's defaults (C2 after warm-up).
#
#   bench/digest-bench.sh [--mib 512] [--rounds 4] [--skip-build]
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
mib=512
rounds=4
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --mib) mib="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ "$build" = 1 ]; then
  (cd "$here" && flock /tmp/strata-build.lock ./mvnw -B -o -q -DskipTests -pl strata-bench -am package)
fi
jar="$here/strata-bench/target/strata-bench.jar"
run() { flock /tmp/strata-build.lock "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED "$@" -cp "$jar" io.strata.bench.DigestBench "$mib" "$rounds"; }
echo "== the launcher's flags (-XX:TieredStopAtLevel=1 -XX:+UseSerialGC)"
run -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
echo "== the JVM's defaults"
run
