#!/usr/bin/env bash
# Language speed: parse + evaluate + validate of a generated fleet.
#  1. warm, in process, with JMH (heap capped at 512 MiB);
#  2. the whole `fleetform validate` process, with /usr/bin/time (wall time, max RSS), at
#     N and 10×N zones, to show the cost grows linearly.
# Usage: scripts/bench-language.sh [ZONES] [SERVICES]
set -euo pipefail
cd "$(dirname "$0")/.."
zones=${1:-2000}
services=${2:-10}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mvn -q -B -Pbench -Dbench -DskipTests -pl cli -am install
mvn -q -B -Pbench -Dbench -pl cli test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" -Dmdep.includeScope=test
cp="cli/target/test-classes:cli/target/classes:$(cat "$work/cp")"

echo "== warm, in process (JMH), ${zones} and $((zones * 10)) zones x ${services} services"
# The 512 MiB cap is the target for N zones; 10×N gets a heap that fits its model, so the
# comparison measures the work, not a collector squeezed for room.
java -cp "$cp" org.openjdk.jmh.Main LanguageBenchmark -p zones="$zones" -p services="$services" \
  -rf text -rff "$work/jmh.txt" >/dev/null
java -cp "$cp" org.openjdk.jmh.Main LanguageBenchmark -p zones="$((zones * 10))" -p services="$services" \
  -jvmArgs -Xmx2g -rf text -rff "$work/jmh10.txt" >/dev/null
tail -n +2 "$work/jmh10.txt" >> "$work/jmh.txt"
cat "$work/jmh.txt"

for n in "$zones" "$((zones * 10))"; do
  java -cp "$cp" io.fleetform.cli.bench.FleetGenerator "$work/fleet-$n" "$n" "$services"
  echo "== whole process: fleetform validate, ${n} zones x ${services} services, -Xmx512m, the launcher's JVM flags"
  for run in 1 2 3; do
    /usr/bin/time -f "wall %es  max RSS %M KiB" java -Xmx512m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
      -jar cli/target/fleetform.jar validate "$work/fleet-$n"
  done
done
