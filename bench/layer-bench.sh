#!/usr/bin/env bash
# Layer apply and diff speed, Strata side by side with GNU tar on the same inputs, in one run.
#
#   bench/layer-bench.sh [--data DIR] [--reps N] [--skip-build]
#
# Inputs are built once into DIR (default /tmp/strata-layer-bench) from the files of /usr, with
# relative names as real layers have: small.tar (every /usr file under 16 KiB, ~100k entries) and
# big.tar (~1 GiB of larger files), each also gzip -6 (.gz) and zstd -3 (.zst). Every timed run
# extracts into an empty directory with the page cache dropped first (cold input; needs root);
# timings stop when the extractor returns (no final sync, for either side). Printed: median
# seconds per method, MB/s of uncompressed tar, and Strata's speed relative to each peer
# (>1 means Strata is faster). Diff: an extracted big.tar read as an overlay upper directory and
# written as a zstd layer, against `tar -c | zstd -3`. Needs: tar gzip pigz zstd (apt-get).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
data=/tmp/strata-layer-bench
reps=3
build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --reps) reps="$2"; shift 2 ;;
    --skip-build) build=0; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
for tool in tar gzip pigz zstd; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y tar gzip pigz zstd)" >&2; exit 1; }
done
lock=/tmp/strata-build.lock
mkdir -p "$data"
if [ ! -s "$data/small.tar.zst" ] || [ ! -s "$data/big.tar.zst" ]; then
  echo "building inputs in $data (once)" >&2
  find /usr -xdev -type f -readable -printf '%s\t%P\n' 2>/dev/null | sort -t$'\t' -k2 > "$data/all.lst"
  awk -F'\t' '$1 >= 16384 { if (sum + $1 > 1073741824) next; sum += $1; print "usr/" $2 }' "$data/all.lst" > "$data/big.lst"
  awk -F'\t' '$1 < 16384 { print "usr/" $2 }' "$data/all.lst" > "$data/small.lst"
  for n in small big; do
    tar -C / --sort=name --warning=no-file-changed -cf "$data/$n.tar" -T "$data/$n.lst" 2>/dev/null || [ -s "$data/$n.tar" ]
    gzip -6 -n -c "$data/$n.tar" > "$data/$n.tar.gz"
    zstd -q -3 -f "$data/$n.tar" -o "$data/$n.tar.zst"
  done
  rm -f "$data/all.lst"
fi
if [ "$build" = 1 ]; then
  (cd "$here" && flock "$lock" ./mvnw -B -o -q -DskipTests -pl strata-bench -am package)
fi
jar="$here/strata-bench/target/strata-bench.jar"
target="$data/target"

drop() { sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# peer NAME COMMAND: median seconds of COMMAND run in an empty $target.
peer() {
  local times=()
  for _ in $(seq "$reps"); do
    rm -rf "$target"; mkdir -p "$target"; drop
    local t0 t1
    t0=$(date +%s.%N)
    (cd "$target" && bash -c "$1")
    t1=$(date +%s.%N)
    times+=("$(echo "$t1 - $t0" | bc)")
  done
  rm -rf "$target"
  printf '%s\n' "${times[@]}" | median
}

declare -A strata size count
while read -r file secs entries bytes; do
  strata[$file]="$secs"
  size[${file%%.*}]="$bytes"
  count[${file%%.*}]="$entries"
done < <(flock "$lock" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.strata.bench.LayerBench apply \
  --target "$target" --reps "$reps" "$data"/small.tar "$data"/small.tar.gz "$data"/small.tar.zst \
  "$data"/big.tar "$data"/big.tar.gz "$data"/big.tar.zst)

row() { # input peer-name peer-seconds strata-seconds bytes
  awk -v i="$1" -v p="$2" -v ps="$3" -v ss="$4" -v b="$5" 'BEGIN {
    printf "%-14s %-22s %8.2f s %7.0f MB/s | strata %8.2f s %7.0f MB/s | strata/peer speed %5.2fx\n",
      i, p, ps, b / ps / 1e6, ss, b / ss / 1e6, ps / ss }'
}
echo
echo "apply: median of $reps cold runs each, MB/s of uncompressed tar"
for n in small big; do
  b=${size[$n]}
  echo "-- $n.tar: ${count[$n]} entries, $b bytes"
  exec 9>"$lock"; flock 9
  t=$(peer "tar -xf $data/$n.tar"); row "$n.tar" "tar -x" "$t" "${strata[$n.tar]}" "$b"
  t=$(peer "gzip -dc $data/$n.tar.gz | tar -xf -"); row "$n.tar.gz" "gzip -dc | tar -x" "$t" "${strata[$n.tar.gz]}" "$b"
  t=$(peer "pigz -dc $data/$n.tar.gz | tar -xf -"); row "$n.tar.gz" "pigz -dc | tar -x" "$t" "${strata[$n.tar.gz]}" "$b"
  t=$(peer "zstd -dc $data/$n.tar.zst | tar -xf -"); row "$n.tar.zst" "zstd -dc | tar -x" "$t" "${strata[$n.tar.zst]}" "$b"
  flock -u 9
done

echo
echo "diff: an extracted big.tar as an overlay upper dir, to a zstd -3 layer"
upper="$data/upper"
rm -rf "$upper"; mkdir -p "$upper"; tar -xf "$data/big.tar" -C "$upper"
read -r _ dsecs dentries dbytes dzbytes < <(flock "$lock" "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" \
  io.strata.bench.LayerBench diff --source "$upper" --reps "$reps")
times=()
exec 9>"$lock"; flock 9
for _ in $(seq "$reps"); do
  drop; t0=$(date +%s.%N); tar -cf - -C "$upper" . | zstd -q -3 > /dev/null; t1=$(date +%s.%N)
  times+=("$(echo "$t1 - $t0" | bc)")
done
flock -u 9
psecs=$(printf '%s\n' "${times[@]}" | median)
row "big upper" "tar -c | zstd -3" "$psecs" "$dsecs" "$dbytes"
echo "   strata wrote $dentries entries, $dbytes bytes of tar, $dzbytes bytes of zstd"
rm -rf "$upper"
