#!/usr/bin/env bash
# Decompression throughput of OCI layer codecs, side by side on the same inputs, in one run:
# gzip -dc, pigz -dc, java.util.zip.Inflater (heap/direct, buffer sizes), ISA-L igzip through FFM,
# libdeflate whole-buffer through FFM, zstd-jni and zstd -dc; plus gzip/zstd compress levels and
# SHA-256 throughput. Numbers are MB/s of *uncompressed* output (1 MB = 10^6 bytes), with ratios
# against `gzip -dc` and `pigz -dc` on the same input. ADR 0006 quotes a run of this script.
#
# Needs (Debian): gzip pigz zstd libisal2 libdeflate0 tar coreutils. Run as any user:
#   bench/inflate-bench.sh [--data DIR] [--big-mib 1024] [--reps 3] [--skip-build]
# The inputs are built once into DIR (default /tmp/strata-inflate-bench) from the files of /usr:
#   big.tar   ~1 GiB of real files (binaries, libraries, text), tar --sort=name
#   small.tar every /usr file under 16 KiB (about 100k entries)
# each also as .tar.gz (gzip -6) and .tar.zst (zstd -3). Timings hold /tmp/strata-build.lock so
# that builds of other worktrees do not disturb them (and are not slowed by them).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
data=/tmp/strata-inflate-bench
big_mib=1024
reps=3
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --big-mib) big_mib="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in gzip pigz zstd tar; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y gzip pigz zstd tar)" >&2; exit 1; }
done
lock=/tmp/strata-build.lock

mkdir -p "$data"
if [ ! -s "$data/big.tar.zst" ] || [ ! -s "$data/small.tar.zst" ]; then
  echo "building inputs in $data (once)"
  limit=$((big_mib * 1024 * 1024))
  # Regular files only, sorted, so the same machine image gives the same tar.
  find /usr -xdev -type f -readable -printf '%s\t%p\n' 2>/dev/null | sort -t$'\t' -k2 > "$data/all.lst"
  awk -F'\t' -v lim="$limit" '$1 >= 16384 { if (sum + $1 > lim) next; sum += $1; print $2 }' "$data/all.lst" > "$data/big.lst"
  awk -F'\t' '$1 < 16384 { print $2 }' "$data/all.lst" > "$data/small.lst"
  flock "$lock" bash -c '
    set -e; cd "$1"
    for n in big small; do
      tar --sort=name --warning=no-file-changed -cf $n.tar -P -T $n.lst 2>/dev/null || [ -s $n.tar ]
      gzip -6 -n -c $n.tar > $n.tar.gz
      zstd -q -3 -f $n.tar -o $n.tar.zst
    done' _ "$data"
  rm -f "$data/all.lst"
fi
ls -l "$data"/*.tar*

if [ "$build" = 1 ]; then
  (cd "$here" && flock "$lock" ./mvnw -B -o -q -DskipTests -pl strata-bench -am package)
fi
jar="$here/strata-bench/target/strata-bench.jar"
flock "$lock" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx6g -cp "$jar" \
  io.strata.bench.InflateBench --data "$data" --reps "$reps"
