#!/usr/bin/env bash
# The README's Speed table, measured and written in one command: runs the benchmark scripts
# (whole processes, peers in the same run), then replaces the table between the
# `<!-- speed-table:begin -->` and `<!-- speed-table:end -->` lines of README.md with their rows and
# a line saying which machine produced them, when, and how loaded it was.
#
#   scripts/bench-language.sh   start-up, validate and inspect beside sjsonnet and Pkl
#   scripts/bench-plan.sh       no-op plans of 22,000 and 220,000 instances
#   scripts/bench-host-apply.sh applying 200 containers beside raw docker-java and the docker CLI
#                               (only when a Docker Engine answers; one run, it takes minutes)
#   scripts/bench-registry.sh   replicating a 200 MB / 20-layer image to an empty mirror beside
#                               `skopeo copy`, and ten images of 20 MB beside `skopeo sync` of them
#                               (only when docker-registry and skopeo are installed)
#   scripts/bench-kubernetes.sh making a 50-zone fleet on the test kube-apiserver beside
#                               `kubectl apply --server-side` of its render (only when kubectl is
#                               installed and scripts/k8s-test-cluster.sh build has cached the API server)
#
# Usage: scripts/speed-table.sh [RUNS]     (default 5; the apply rows take the median of at most 3 rounds,
#                                          AB_ROUNDS overrides: a round takes minutes)
#        scripts/speed-table.sh --print    measure and print the table, leave README.md alone
#        scripts/speed-table.sh --only BENCH [RUNS]   one bench (language, plan, apply, registry or
#                                          kubernetes): its rows replace the rows of the same name in
#                                          README.md's table (or join it), with a line saying when and
#                                          how loaded; the other rows and their line stay
# Takes 25 to 40 minutes on the 2-core machine. Not part of CI: figures from a shared CI machine
# would be noise.
set -euo pipefail
cd "$(dirname "$0")/.."
print_only=false
only=""
if [ "${1:-}" = "--print" ]; then
  print_only=true
  shift
elif [ "${1:-}" = "--only" ]; then
  only=${2:?"speed-table: --only needs a bench: language, plan, apply, registry or kubernetes"}
  case "$only" in
    language|plan|apply|registry|kubernetes) ;;
    *) echo "speed-table: no bench \"$only\" (language, plan, apply, registry or kubernetes)" >&2; exit 2 ;;
  esac
  shift 2
fi
runs=${1:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

rows() { grep '^| ' | grep -v '^| what |' || true; }
wanted() { [ -z "$only" ] || [ "$only" = "$1" ]; }
: > "$work/rows"
if wanted language; then scripts/bench-language.sh "$runs" | rows >> "$work/rows"; fi
if wanted plan; then scripts/bench-plan.sh 2000 "$runs" | rows >> "$work/rows"; fi
if ! wanted apply; then :
elif docker info >/dev/null 2>&1; then
  AB_ROUNDS=${AB_ROUNDS:-$(( runs < 3 ? runs : 3 ))} scripts/bench-host-apply.sh 200 | rows >> "$work/rows" \
    || { echo "speed-table: scripts/bench-host-apply.sh failed (its messages above); README.md is left alone" >&2; exit 1; }
else
  echo "speed-table: no Docker Engine answers; the apply row is left out" >&2
fi
if ! wanted registry; then :
elif [ -x "${FLEETFORM_REGISTRY_BIN:-/usr/bin/docker-registry}" ] && command -v skopeo >/dev/null; then
  scripts/bench-registry.sh "$runs" | rows >> "$work/rows"
  # A fleet's images rather than one: ten of 20 MB, one `fleetform apply` beside `skopeo sync` of the same list.
  scripts/bench-registry.sh "$runs" 5 20 10 | rows >> "$work/rows"
else
  echo "speed-table: docker-registry or skopeo is missing; the replication row is left out" >&2
fi
k8s_bin=${FLEETFORM_CACHE:-$HOME/.cache/fleetform}/kubernetes-1.20.2/bin
if ! wanted kubernetes; then :
elif command -v "${KUBECTL:-kubectl}" >/dev/null && [ -x "$k8s_bin/kube-apiserver" ] \
  && [ -x "$k8s_bin/kube-controller-manager" ]; then
  scripts/bench-kubernetes.sh "$runs" | rows >> "$work/rows"
else
  echo "speed-table: kubectl or the cached kube-apiserver (scripts/k8s-test-cluster.sh build) is missing;" \
    "the Kubernetes row is left out" >&2
fi
if [ -n "$only" ]; then
  if [ ! -s "$work/rows" ]; then
    echo "speed-table: the $only bench gave no row; README.md is left alone" >&2
    exit 1
  fi
  note="The $only rows: \`scripts/speed-table.sh --only $only $runs\` on $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD),"
  note="$note load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after."
  python3 - "$work/rows" "$note" README.md <<'PY'
import sys
rows = [r for r in open(sys.argv[1]).read().splitlines() if r.strip()]
note, path = sys.argv[2], sys.argv[3]
text = open(path).read()
begin, end = "<!-- speed-table:begin -->", "<!-- speed-table:end -->"
if begin not in text or end not in text:
    sys.exit("speed-table: README.md has no " + begin + " ... " + end + " lines")
head, rest = text.split(begin, 1)
table, tail = rest.split(end, 1)
lines = table.strip("\n").split("\n")
import re
# A row's name is its first cell without a trailing "(...)": what it says of how it was measured may change.
name = lambda row: re.sub(r" \([^()]*\)$", "", row.split("|")[1].strip())
last = max(i for i, l in enumerate(lines) if l.startswith("| "))
for row in rows:
    same = [i for i, l in enumerate(lines) if l.startswith("| ") and name(l) == name(row)]
    if same:
        lines[same[0]] = row
    else:
        last += 1
        lines.insert(last, row)
prefix = note.split(":", 1)[0] + ":"
lines = [l for l in lines if not l.startswith(prefix)] + [note]
open(path, "w").write(head + begin + "\n" + "\n".join(lines) + "\n" + end + tail)
PY
  cat "$work/rows"
  echo "speed-table: the $only rows of README.md's Speed table rewritten" >&2
  exit 0
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
mem=$(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)
java_version=$(java -version 2>&1 | head -1)
{
  echo "| what | Fleetform | peers, same run | Fleetform ÷ peer (wall) |"
  echo "|---|---|---|---|"
  cat "$work/rows"
  echo
  echo "Measured by \`scripts/speed-table.sh\` on $(date -u +%Y-%m-%d) at commit $(git rev-parse --short HEAD):" \
    "$(nproc) cores ($cpu), $mem, $java_version; load average $load_before before," \
    "$(cut -d' ' -f1-3 /proc/loadavg) after$(awk '$1 > 1.5 { printf " (other work shared the machine: compare within a row)" }' <<< "$load_before")."
} > "$work/table"

if $print_only; then
  cat "$work/table"
  exit 0
fi
python3 - "$work/table" README.md <<'PY'
import sys
table = open(sys.argv[1]).read().rstrip("\n")
path = sys.argv[2]
text = open(path).read()
begin, end = "<!-- speed-table:begin -->", "<!-- speed-table:end -->"
if begin not in text or end not in text:
    sys.exit("speed-table: README.md has no " + begin + " ... " + end + " lines")
head, rest = text.split(begin, 1)
_, tail = rest.split(end, 1)
open(path, "w").write(head + begin + "\n" + table + "\n" + end + tail)
PY
cat "$work/table"
echo "speed-table: README.md's Speed table rewritten" >&2
