#!/usr/bin/env bash
# Engine speed: a no-op plan of ZONES x SERVICES instances (default 2,000 x 10 = 20,000) with
# --refresh=false, on the file-backed test provider, with every resource already in the state.
#  1. engine time in process (PlanBenchmark: configuration + plan, repeated, median);
#  2. the whole `fleetform plan --refresh=false` process with /usr/bin/time (wall, max RSS), at
#     N and 10×N zones, heap capped at 1 GiB.
# Usage: scripts/bench-plan.sh [ZONES] [SERVICES]
set -euo pipefail
cd "$(dirname "$0")/.."
zones=${1:-2000}
services=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mvn -q -B -DskipTests -pl cli -am install
mvn -q -B -pl cli test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" -Dmdep.includeScope=test
cp="cli/target/test-classes:cli/target/classes:$(cat "$work/cp")"

echo "== engine time in process: no-op plan, ${zones} zones x ${services} services"
java -Xmx1g -cp "$cp" io.fleetform.cli.bench.PlanBenchmark "$zones" "$services" 10 "$work/inproc"

for n in "$zones" "$((zones * 10))"; do
  dir="$work/fleet-$n"
  java -Xmx4g -cp "$cp" io.fleetform.cli.bench.PlanBenchmark "$n" "$services" 1 "$dir" >/dev/null
  echo "== whole process: fleetform plan --refresh=false, ${n} zones x ${services} services"
  for run in 1 2 3; do
    /usr/bin/time -f "wall %es  max RSS %M KiB" java -Xmx1g -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -cp "$cp" \
      io.fleetform.cli.Main plan "$dir" --refresh=false --detailed-exitcode | tail -1 || true
  done
done
