#!/usr/bin/env bash
# Engine speed at scale: a no-op `fleetform plan --refresh=false` of ZONES x 10 services (default
# 2,000 zones: 22,000 instances, zones included) and of ten times that (220,000), every resource
# already in the local state, on the file-backed test provider (no network). Whole processes,
# median of RUNS (default 5) after one warm-up: wall time, CPU time (user + system; a loaded
# machine disturbs it less) and peak RSS, with the heap capped at 1 GiB for the small fleet and
# 4 GiB for the large one (a run that needed more fails the script).
#
# Fleetform runs as the launcher runs it (its JVM flags and a class-data-sharing archive recorded in
# the warm-up), with the test provider's classes beside the jar. The issue names no peer for this
# row; FLEETFORM_BASELINE=/other/checkout adds that checkout (built: cli/target/fleetform.jar and
# its test classes, cli-tests/target/test-classes or, before the CLI's tests had a module of their own,
# cli/target/test-classes) as "Fleetform before", run by run in turn with this one.
#
# Usage: scripts/bench-plan.sh [ZONES] [RUNS]
#        scripts/bench-plan.sh --inproc [ZONES]   engine time in process, repeated (PlanBenchmark)
# Prints markdown rows for the README's Speed table.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
services=10

mvn -q -B -DskipTests -pl cli -am package >&2
mvn -q -B -pl cli-tests -am test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" \
  -Dmdep.includeScope=test >&2
testcp="$root/cli-tests/target/test-classes:$root/cli/target/classes:$(cat "$work/cp")"

if [ "${1:-}" = "--inproc" ]; then
  java -Xmx1g -cp "$testcp" io.fleetform.cli.bench.PlanBenchmark "${2:-2000}" "$services" 10 "$work/inproc"
  exit 0
fi
zones=${1:-2000}
runs=${2:-5}

# The test provider in a jar of its own, so the class-data-sharing archive can hold its classes too.
testclasses() { if [ -d "$1/cli-tests/target/test-classes" ]; then echo "$1/cli-tests/target/test-classes"; else echo "$1/cli/target/test-classes"; fi; }
testjar() {
  local checkout=$1 out=$2
  (cd "$(testclasses "$checkout")" && jar cf "$out" io/fleetform/cli/testprovider META-INF/services)
}
testjar "$root" "$work/ff-test.jar"
opts=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xlog:cds=off -Xlog:cds+dynamic=off)
base=${FLEETFORM_BASELINE:-}
if [ -n "$base" ]; then
  [ -f "$base/cli/target/fleetform.jar" ] && [ -d "$(testclasses "$base")" ] || {
    echo "bench: $base has no built cli/target/fleetform.jar and CLI test classes" >&2
    exit 1
  }
  testjar "$base" "$work/b-test.jar"
fi

small=$zones
large=$((zones * 10))
for n in "$small" "$large"; do
  # The fleet and a state holding all of it, as after an apply.
  java -Xmx6g -cp "$testcp" io.fleetform.cli.bench.PlanBenchmark "$n" "$services" 0 "$work/fleet-$n" >/dev/null
done
instances() { python3 -c "import json,sys; print(f'{len(json.load(open(sys.argv[1]))[\"resources\"]):,}')" \
  "$work/fleet-$1/.fleetform/state.json"; }

# plan LABEL JAR TESTJAR N HEAP: one whole `fleetform plan`, wall and CPU seconds and peak RSS (MiB)
# appended to $work/LABEL. The first call of a label records the CDS archive and is not counted.
plan() {
  local label=$1 jar=$2 tjar=$3 n=$4 heap=$5
  local cds=(-XX:SharedArchiveFile="$work/$label.jsa")
  [ -f "$work/$label.jsa" ] || cds=(-XX:ArchiveClassesAtExit="$work/$label.jsa")
  FLEETFORM_TEST_WORLD="$work/fleet-$n/world" /usr/bin/time -f '%e %U %S %M' -o "$work/t" \
    java "${opts[@]}" "-Xmx$heap" "${cds[@]}" -cp "$jar:$tjar" io.fleetform.cli.Main plan "$work/fleet-$n" \
    --refresh=false --detailed-exitcode >"$work/out" 2>&1 || {
    echo "bench: plan of $n zones ($label) failed:" >&2
    tail -20 "$work/out" >&2
    exit 1
  }
  if [ "${cds[0]}" = "-XX:SharedArchiveFile=$work/$label.jsa" ]; then
    awk '{ printf "%.2f %.2f %d\n", $1, $2 + $3, $4 / 1024 }' "$work/t" >> "$work/$label"
  fi
}
for _ in $(seq 0 "$runs"); do
  plan ff-small "$root/cli/target/fleetform.jar" "$work/ff-test.jar" "$small" 1g
  [ -z "$base" ] || plan b-small "$base/cli/target/fleetform.jar" "$work/b-test.jar" "$small" 1g
  plan ff-large "$root/cli/target/fleetform.jar" "$work/ff-test.jar" "$large" 4g
  [ -z "$base" ] || plan b-large "$base/cli/target/fleetform.jar" "$work/b-test.jar" "$large" 4g
done

# shellcheck source=bench/stats.sh
. scripts/bench/stats.sh  # the working directory is the checkout (cd above)
cell() { printf '%s s (CPU %s s, RSS %s MiB)' "$(col "$1" 1)" "$(col "$1" 2)" "$(col "$1" 3)"; }
row() {
  local what=$1 ff=$2 b=$3 peer="—" ratio="—"
  if [ -s "$work/$b" ]; then
    peer="Fleetform before $(cell "$b")"
    ratio=$(awk -v a="$(col "$ff" 1)" -v b="$(col "$b" 1)" 'BEGIN { printf "%.2f× of Fleetform before", a / b }')
  fi
  printf '| %s | %s | %s | %s |\n' "$what" "$(cell "$ff")" "$peer" "$ratio"
}
row "no-op \`plan --refresh=false\`, $(instances "$small") instances, heap ≤ 1 GiB" ff-small b-small
row "the same, $(instances "$large") instances, heap ≤ 4 GiB" ff-large b-large
awk -v a="$(col ff-large 1)" -v b="$(col ff-small 1)" -v c="$(col ff-large 2)" -v d="$(col ff-small 2)" \
  'BEGIN { printf "| 10× the fleet ÷ the fleet (goal ≤ 11×) | %.1f× wall, %.1f× CPU | — | — |\n", a / b, c / d }'
