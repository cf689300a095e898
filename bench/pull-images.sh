# Sourced by the pull benchmarks: builds the three images' layers once into $data (from the files of
# /usr), lays each image of $images out as OCI and pushes it to a local registry it starts in $work.
# Sets: host (the registry), layers_of NAME (the image's layer names), sha FILE.
# Needs from the caller: data, images, work (a temporary directory the caller removes).
# ---- the images' layers, built once into $data ------------------------------------------------
mkdir -p "$data"
layer() { # NAME: tar (from $data/NAME.lst of paths under /) and its gzip
  [ -s "$data/$1.tar.gz" ] && return
  tar -C / --sort=name --warning=no-file-changed -cf "$data/$1.tar" -T "$data/$1.lst" 2>/dev/null || [ -s "$data/$1.tar" ]
  pigz -6 -n -c "$data/$1.tar" > "$data/$1.tar.gz"
}
if [ ! -s "$data/all.lst" ]; then
  find /usr -xdev -type f -readable -printf '%s\t%P\n' 2>/dev/null | sort -t$'\t' -k2 > "$data/all.lst"
fi
[ -s "$data/distro1.lst" ] || awk -F'\t' '$2 ~ /^(bin|sbin|lib\/x86_64-linux-gnu)\// { if (sum + $1 > 150000000) next; sum += $1; print "usr/" $2 }' "$data/all.lst" > "$data/distro1.lst"
[ -s "$data/distro2.lst" ] || awk -F'\t' '$2 ~ /^share\/(doc|man)\// { if (sum + $1 > 12000000) next; sum += $1; print "usr/" $2 }' "$data/all.lst" > "$data/distro2.lst"
[ -s "$data/small.lst" ] || awk -F'\t' '$1 < 16384 { print "usr/" $2 }' "$data/all.lst" > "$data/small.lst"
for n in distro1 distro2 small; do layer "$n"; done
for i in 1 2; do # one ~1 GiB file per layer: /usr's larger files end to end, in two different orders
  [ -s "$data/big$i.tar.gz" ] && continue
  d="$data/big$i"; mkdir -p "$d/data"
  awk -F'\t' '$1 >= 65536 { print "/usr/" $2 }' "$data/all.lst" | { [ "$i" = 1 ] && cat || tac; } \
    | xargs -d '\n' cat 2>/dev/null | head -c 1073741824 > "$d/data/blob-$i.bin" || true
  (cd "$d" && tar --sort=name -cf "$data/big$i.tar" data)
  pigz -6 -n -c "$data/big$i.tar" > "$data/big$i.tar.gz"
  rm -rf "$d"
done
layers_of() { case "$1" in distro) echo "distro1 distro2" ;; small) echo small ;; big) echo "big1 big2" ;; esac; }

sha() { sha256sum "$1" | cut -d' ' -f1; }
layout() { # NAME LAYER...: an OCI layout of gzip layers
  local name="$1" dir="$work/layout-$1" cfg man msize diffs="" descs="" l gz
  shift
  mkdir -p "$dir/blobs/sha256"
  for l in "$@"; do
    gz=$(sha "$data/$l.tar.gz"); cp "$data/$l.tar.gz" "$dir/blobs/sha256/$gz"
    diffs="$diffs${diffs:+,}\"sha256:$(sha "$data/$l.tar")\""
    descs="$descs${descs:+,}{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$gz\",\"size\":$(stat -c %s "$data/$l.tar.gz")}"
  done
  printf '{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[%s]}}' "$diffs" > "$dir/cfg"
  cfg=$(sha "$dir/cfg"); mv "$dir/cfg" "$dir/blobs/sha256/$cfg"
  printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[%s]}' \
    "$cfg" "$(stat -c %s "$dir/blobs/sha256/$cfg")" "$descs" > "$dir/man"
  man=$(sha "$dir/man"); msize=$(stat -c %s "$dir/man"); mv "$dir/man" "$dir/blobs/sha256/$man"
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"org.opencontainers.image.ref.name":"1"}}]}' "$man" "$msize" > "$dir/index.json"
  echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"
}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
host=127.0.0.1:$port
printf 'version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' "$work/registry" "$host" > "$work/registry.yml"
/usr/bin/docker-registry serve "$work/registry.yml" > "$work/registry.log" 2>&1 &
until curl -sf "http://$host/v2/" >/dev/null; do sleep 0.2; done
for n in $images; do
  # shellcheck disable=SC2046
  layout "$n" $(layers_of "$n")
  skopeo --insecure-policy copy --dest-tls-verify=false "oci:$work/layout-$n:1" "docker://$host/bench/$n:1" >/dev/null
done

