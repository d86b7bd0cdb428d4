#!/usr/bin/env bash
# Image replication speed: a LAYERS-layer image of MB megabytes (default 20 layers, 200 MB of random
# bytes, so nothing compresses it away) in a local source registry, copied to an EMPTY mirror
# registry by a whole `fleetform apply` (a fleet of one image with `replicate_to = [registry.mirror]`,
# fresh state) and, in the same run, by `skopeo copy docker://... docker://...`. Both registries
# are Debian's `docker-registry` on loopback ports with storage in a temporary directory; the
# mirror is restarted on an empty storage directory before every copy, so every copy transfers
# everything. Medians of RUNS (default 5) after one warm-up of each, the two taking turns.
#
# The image is built here from generated files (one uncompressed tar layer per file, an OCI layout
# written by this script, pushed with skopeo): nothing comes from outside.
#
# With IMAGES above 1 (a fleet's images, not one), IMAGES different images of LAYERS layers and MB megabytes each
# are replicated by one `fleetform apply` of a fleet of IMAGES images, beside `skopeo sync` of the same images
# (a YAML list of them: what a script mirroring a fleet's images would run), which copies them one after another.
#
# FLEETFORM_BASELINE=/other/checkout adds that checkout's `fleetform apply` (built there first) as
# "Fleetform before", run by run in turn with this one and skopeo, for an A/B in the same minutes.
#
# Usage: scripts/bench-registry.sh [RUNS] [LAYERS] [MB] [IMAGES]
# Prints a markdown row for the README's Speed table.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}
layers=${2:-20}
mb=${3:-200}
images=${4:-1}
# One image keeps the name it always had; several are bench/game-1 ... bench/game-IMAGES.
names=()
if [ "$images" -eq 1 ]; then names=(bench/game); else for i in $(seq "$images"); do names+=("bench/game-$i"); done; fi
registry_bin=${FLEETFORM_REGISTRY_BIN:-/usr/bin/docker-registry}
for tool in "$registry_bin" skopeo python3; do
  command -v "$tool" >/dev/null || {
    echo "bench-registry: $tool is missing (apt-get install -y docker-registry skopeo python3)" >&2
    exit 1
  }
done
work=$(mktemp -d /tmp/fleetform-bench-registry-XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_registry NAME PORT: a registry serving $work/NAME/data on 127.0.0.1:PORT; its pid in $work/NAME/pid.
start_registry() {
  local name=$1 port=$2 dir="$work/$1"
  mkdir -p "$dir"
  cat > "$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: bench-$RANDOM$RANDOM
EOF
  "$registry_bin" serve "$dir/config.yml" >"$dir/log" 2>&1 &
  echo $! > "$dir/pid"
  pids+=($!)
  for _ in $(seq 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/v2/"; then return 0; fi
    sleep 0.1
  done
  echo "bench-registry: registry $name did not start:" >&2
  tail -20 "$dir/log" >&2
  exit 1
}
stop_registry() {
  local pid
  pid=$(cat "$work/$1/pid")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
# An empty mirror: stopped, its storage removed, started again on the same port.
fresh_mirror() {
  stop_registry mirror
  rm -rf "$work/mirror/data"
  start_registry mirror "$mirror_port"
}

echo "bench-registry: building the CLI" >&2
mvn -q -B -DskipTests -pl cli -am package >&2
base=${FLEETFORM_BASELINE:-}
if [ -n "$base" ]; then
  echo "bench-registry: building the CLI in $base" >&2
  (cd "$base" && mvn -q -B -DskipTests -pl cli -am package) >&2
fi

src_port=$(free_port)
start_registry source "$src_port"
mirror_port=$(free_port)
start_registry mirror "$mirror_port"

for name in "${names[@]}"; do
echo "bench-registry: writing $name, a $layers-layer / $mb MB image" >&2
python3 - "$work/oci" "$layers" "$mb" <<'PY'
import hashlib, io, json, os, sys, tarfile
out, layers, mb = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
blobs = os.path.join(out, "blobs", "sha256")
os.makedirs(blobs)
def put(data):
    d = hashlib.sha256(data).hexdigest()
    open(os.path.join(blobs, d), "wb").write(data)
    return "sha256:" + d, len(data)
size = mb * 1024 * 1024 // layers
descs, diffs = [], []
for i in range(layers):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        info = tarfile.TarInfo("data/layer-%02d.bin" % i)
        info.size, info.mtime, info.mode = size, 0, 0o644
        tar.addfile(info, io.BytesIO(os.urandom(size)))
    digest, n = put(buf.getvalue())
    descs.append({"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": digest, "size": n})
    diffs.append(digest)
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": diffs}}).encode()
cdigest, clen = put(config)
manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                  "digest": cdigest, "size": clen},
                       "layers": descs}).encode()
mdigest, mlen = put(manifest)
json.dump({"imageLayoutVersion": "1.0.0"}, open(os.path.join(out, "oci-layout"), "w"))
json.dump({"schemaVersion": 2, "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
           "digest": mdigest, "size": mlen, "annotations": {"org.opencontainers.image.ref.name": "1"}}]},
          open(os.path.join(out, "index.json"), "w"))
PY
skopeo copy -q --dest-tls-verify=false "oci:$work/oci:1" "docker://127.0.0.1:$src_port/$name:1" >&2
rm -rf "$work/oci"
done

mkdir -p "$work/fleet"
cat > "$work/fleet/main.fleet" <<EOF
fleet "bench-registry" { owner = "bench" }
registry "central" { url = "127.0.0.1:$src_port" }
registry "mirror" {
  url       = "127.0.0.1:$mirror_port"
  mirror_of = registry.central
}
EOF
n=0
for name in "${names[@]}"; do
  n=$((n + 1))
  cat >> "$work/fleet/main.fleet" <<EOF
image "game$n" {
  from         = registry.central
  name         = "$name"
  tag          = "1"
  replicate_to = [registry.mirror]
}
EOF
done
# The same images for `skopeo sync --src yaml` (several images only).
cat > "$work/sync.yml" <<EOF
127.0.0.1:$src_port:
  tls-verify: false
  images:
EOF
for name in "${names[@]}"; do echo "    $name: [\"1\"]" >> "$work/sync.yml"; done

# timed LABEL CMD...: wall seconds of CMD against an empty mirror, appended to $work/LABEL.
timed() {
  local label=$1
  shift
  fresh_mirror
  rm -rf "$work/fleet/.fleetform"
  if ! /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >"$work/out" 2>&1; then
    echo "bench-registry: $label failed:" >&2
    tail -20 "$work/out" >&2
    exit 1
  fi
  # The copies must really be there: the mirror answers each tag with the source's manifest digest.
  local want got name
  for name in "${names[@]}"; do
    want=$(curl -fsI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "http://127.0.0.1:$src_port/v2/$name/manifests/1" | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }')
    got=$(curl -fsI -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
      "http://127.0.0.1:$mirror_port/v2/$name/manifests/1" | tr -d '\r' | awk -F': ' 'tolower($1) == "docker-content-digest" { print $2 }')
    if [ -z "$got" ] || [ "$got" != "$want" ]; then
      echo "bench-registry: after $label the mirror holds '${got}' for $name, not the source's $want" >&2
      tail -20 "$work/out" >&2
      exit 1
    fi
  done
  if [ "${counting:-false}" = true ]; then
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/t" >> "$work/$label"
  fi
}
ff() { timed ff "$root/fleetform" apply "$work/fleet" --auto-approve; }
before() { [ -z "$base" ] || timed before "$base/fleetform" apply "$work/fleet" --auto-approve; }
peer="skopeo copy"
[ "$images" -eq 1 ] || peer="skopeo sync"
sk() {
  if [ "$images" -eq 1 ]; then
    timed skopeo skopeo copy -q --src-tls-verify=false --dest-tls-verify=false \
      "docker://127.0.0.1:$src_port/bench/game:1" "docker://127.0.0.1:$mirror_port/bench/game:1"
  else
    # Into 127.0.0.1:PORT/bench: sync names each copy by the last part of its source name (bench/game-1 ...).
    timed skopeo skopeo sync --src yaml --dest docker --dest-tls-verify=false "$work/sync.yml" \
      "127.0.0.1:$mirror_port/bench"
  fi
}

echo "bench-registry: warm-up, then $runs runs each" >&2
counting=false
ff
before
sk
counting=true
for _ in $(seq "$runs"); do
  ff
  before
  sk
done

# shellcheck source=bench/stats.sh
. scripts/bench/stats.sh  # the working directory is the checkout (cd above)
if [ "$images" -eq 1 ]; then
  what="replicate a $mb MB / $layers-layer image to an empty mirror (two local registries), whole \`fleetform apply\`"
else
  what="replicate a fleet's $images images of $mb MB / $layers layers each to an empty mirror (two local registries), whole \`fleetform apply\`"
fi
printf '| %s | %s s (CPU %s s; %s) | `%s` %s s (CPU %s s; %s) | %s |\n' \
  "$what" "$(col ff 1)" "$(col ff 2)" "$(range ff)" "$peer" "$(col skopeo 1)" "$(col skopeo 2)" "$(range skopeo)" \
  "$(awk -v a="$(col ff 1)" -v b="$(col skopeo 1)" -v p="$peer" 'BEGIN { printf "%.2f× of %s", a / b, p }')"
if [ -n "$base" ]; then
  printf 'Fleetform before (%s): %s s (CPU %s s; %s), %s\n' "$base" "$(col before 1)" "$(col before 2)" "$(range before)" \
    "$(awk -v a="$(col before 1)" -v b="$(col skopeo 1)" -v p="$peer" 'BEGIN { printf "%.2f× of %s", a / b, p }')"
fi
