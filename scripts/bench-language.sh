#!/usr/bin/env bash
# Language and start-up speed, as whole processes, with peers measured in the same run.
# Prints the rows of the README's Speed table (markdown): median wall time of RUNS runs (and
# median CPU time, user + system, which a loaded machine disturbs less), Fleetform beside
# sjsonnet and Pkl evaluating the same fleet (scripts/bench/fleet.jsonnet and fleet.pkl: the
# fleet FleetGenerator writes, 10 services per zone, the same zone, service and instance
# counts). The contenders of a row take turns run by run, so a change of load hits them alike.
# Fleetform runs through ./fleetform (its JVM flags and class-data-sharing archive); the peers
# with their JVM's defaults.
#
# Usage: scripts/bench-language.sh [RUNS]        (default 5)
#        FLEETFORM_BASELINE=/other/checkout scripts/bench-language.sh   adds that checkout's
#        ./fleetform (e.g. main before a change) as a contender of every row
#        scripts/bench-language.sh --jmh [ZONES]  warm, in-process figures (JMH, 512 MiB heap)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
services=10

if [ "${1:-}" = "--jmh" ]; then
  zones=${2:-2000}
  mvn -q -B -Pbench -Dbench -pl cli-tests -am test-compile dependency:build-classpath \
    -Dmdep.outputFile="$work/cp" -Dmdep.includeScope=test
  cp="cli-tests/target/test-classes:cli/target/classes:$(cat "$work/cp")"
  # The reactor's modules, which the classpath above leaves out (they are not installed).
  for classes in */target/classes */*/target/classes; do
    cp="$cp:$classes"
  done
  java -cp "$cp" org.openjdk.jmh.Main LanguageBenchmark -p zones="$zones" -p services="$services" -rf text \
    -rff "$work/jmh.txt" >/dev/null
  cat "$work/jmh.txt"
  exit 0
fi
runs=${1:-5}

# Peers from Maven Central through Maven's own resolver (cached in ~/.m2 after the first run).
cat > "$work/pom.xml" <<'POM'
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.bench</groupId><artifactId>peers</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>com.databricks</groupId><artifactId>sjsonnet_2.13</artifactId><version>0.4.9</version></dependency>
    <dependency><groupId>org.pkl-lang</groupId><artifactId>pkl-cli-java</artifactId><version>0.27.2</version></dependency>
  </dependencies>
</project>
POM
(cd "$work" && mvn -q -B dependency:build-classpath -Dmdep.outputFile="$work/peers.cp" >&2)
peers_cp=$(cat "$work/peers.cp")
pkl_jar=$(tr ':' '\n' < "$work/peers.cp" | grep '/pkl-cli-java-')
sjsonnet=(java -cp "$peers_cp" sjsonnet.SjsonnetMain "$root/scripts/bench/fleet.jsonnet" --ext-str)
pkl=(java -jar "$pkl_jar" eval -f json "$root/scripts/bench/fleet.pkl" -p)

# The jar (built when sources changed) and, through one run, its class-data-sharing archive.
./fleetform --version >/dev/null
for n in 4 2000 20000; do
  java "$root/cli-tests/src/test/java/io/fleetform/cli/bench/FleetGenerator.java" "$work/fleet-$n" "$n" "$services"
done
./fleetform validate "$work/fleet-4" >/dev/null
base=${FLEETFORM_BASELINE:+$FLEETFORM_BASELINE/fleetform}
if [ -n "$base" ]; then
  "$base" --version >/dev/null
  "$base" validate "$work/fleet-4" >/dev/null
fi
# baseline LABEL ARGS...: the same command through the baseline checkout, when there is one.
baseline() {
  local label=$1
  shift
  if [ -n "$base" ]; then time_one "$label" "$base" "$@"; fi
}

# time LABEL COMMAND...: one run, wall and CPU seconds appended to $work/LABEL.
time_one() {
  local label=$1
  shift
  /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >/dev/null 2>"$work/err" || {
    echo "bench: '$*' failed:" >&2
    cat "$work/err" >&2
    exit 1
  }
  awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/t" >> "$work/$label"
}
# shellcheck source=bench/stats.sh
. scripts/bench/stats.sh  # the working directory is the checkout (cd above)
wall() { cut -d' ' -f1 "$work/$1" | median; }
cpu() { cut -d' ' -f2 "$work/$1" | median; }
cell() { printf '%s s (CPU %s s)' "$(wall "$1")" "$(cpu "$1")"; }
ratio() { awk -v a="$(wall "$1")" -v b="$(wall "$2")" 'BEGIN { printf "%.2f×", a / b }'; }

# The contenders' names in the table.
declare -A name=([ff-v4-nocds]="Fleetform without its CDS archive" [sj-4]="sjsonnet 0.4.9" [pkl-4]="Pkl 0.27.2"
  [sj-2k]="sjsonnet" [pkl-2k]="Pkl" [sj-20k]="sjsonnet")
for label in b-version b-v4 b-v2k b-i2k b-v20k; do name[$label]="Fleetform before"; done

# row WHAT FLEETFORM-LABEL PEER-LABEL...: measured beforehand with time_one; a peer without
# measurements (the baseline when there is none) is left out.
row() {
  local what=$1 ff=$2
  shift 2
  local peers="" ratios="" label
  for label in "$@"; do
    [ -s "$work/$label" ] || continue
    peers="$peers${peers:+; }${name[$label]} $(cell "$label")"
    ratios="$ratios${ratios:+; }$(ratio "$ff" "$label") of ${name[$label]}"
  done
  printf '| %s | %s | %s | %s |\n' "$what" "$(cell "$ff")" "${peers:-—}" "${ratios:-—}"
}

for _ in $(seq "$runs"); do
  time_one ff-version ./fleetform --version
  baseline b-version --version
  baseline b-v4 validate "$work/fleet-4"
  baseline b-v2k validate "$work/fleet-2000"
  baseline b-i2k inspect --json "$work/fleet-2000"
  baseline b-v20k validate "$work/fleet-20000"
  time_one ff-v4 ./fleetform validate "$work/fleet-4"
  time_one ff-v4-nocds env FLEETFORM_CDS=off ./fleetform validate "$work/fleet-4"
  time_one sj-4 "${sjsonnet[@]}" zones=4
  time_one pkl-4 "${pkl[@]}" zones=4
  time_one ff-v2k ./fleetform validate "$work/fleet-2000"
  time_one sj-2k "${sjsonnet[@]}" zones=2000
  time_one pkl-2k "${pkl[@]}" zones=2000
  time_one ff-i2k ./fleetform inspect --json "$work/fleet-2000"
  time_one ff-v20k ./fleetform validate "$work/fleet-20000"
  time_one sj-20k "${sjsonnet[@]}" zones=20000
done

echo "| what | Fleetform | peers, same run | Fleetform ÷ peer (wall) |"
echo "|---|---|---|---|"
row '`--version`' ff-version b-version
row '`validate`, 4 zones × 10 services (80 instances)' ff-v4 b-v4 ff-v4-nocds sj-4 pkl-4
row '`validate`, 2,000 zones × 10 services (40,000 instances)' ff-v2k b-v2k sj-2k pkl-2k
row '`inspect --json`, the same fleet (24 MB of JSON)' ff-i2k b-i2k sj-2k
row '`validate`, 20,000 zones × 10 services (400,000 instances)' ff-v20k b-v20k sj-20k
