#!/usr/bin/env bash
# What each thing a fleet instance asks the Docker Engine for costs by itself: raw docker-java create + start of
# COUNT containers (default 100) at parallelism 10, plain, then asking for one of a user-defined network with a
# fixed IPv4, Docker's init, a bind-mounted data directory, the unless-stopped restart policy, the labels (and
# hostname, environment) alone, then all of them as a fleet instance does; ROUNDS rounds (default 3), interleaved so
# a change of the machine's load touches every contender alike. Prints each run and the medians (wall, and the CPU
# the Engine spent: dockerd, containerd, the containers' shims and runc), with the load.
# ASKS="plain network veth ..." picks the contenders instead (see RawDockerBenchmark: `none` and `veth`, the
# network made by hand, are for measuring only). Needs dockerd and scripts/quickstart-image.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-100}
rounds=${2:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
. scripts/bench/stats.sh
scripts/quickstart-image.sh 1 >/dev/null
mvn -q -B -pl providers/host -am test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" \
  -Dmdep.includeScope=test >&2
# A /22 no network on this Engine overlaps, picked afresh for each run: under load the Engine can keep a network
# whose containers were all removed ("has active endpoints"), and such a leftover must not stop the next run.
free_subnet() {
  local used third
  used=$(docker network ls -q | xargs docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}')
  for third in 32 36 40 44 48 52 56 60; do
    if ! grep -q "10\.213\.${third}\." <<<"$used"; then echo "10.213.${third}.0/22"; return; fi
  done
  echo "bench-host-asks: no free /22 in 10.213.32.0/19" >&2
  return 1
}
read -r -a asks <<<"${ASKS:-plain network init bind restart labels network,init,bind,restart,labels}"
echo "load before: $(uptime)"
for round in $(seq 1 "$rounds"); do
  for ask in "${asks[@]}"; do
    args=()
    [ "$ask" = plain ] || args=("$(free_subnet)" "$ask")
    out=$(java -cp "providers/host/target/test-classes:providers/host/target/classes:$(cat "$work/cp")" \
      io.fleetform.provider.host.bench.RawDockerBenchmark "$count" 10 fleetform/busybox:1 "${args[@]}" \
      2>"$work/err") || { grep -v '^SLF4J' "$work/err" >&2; exit 1; }
    ms=$(echo "$out" | grep -o '[0-9]* ms' | grep -o '[0-9]*')
    cpu=$(echo "$out" | sed -n 's/.*, all \([0-9]*\) (milliseconds)/\1/p')
    echo "round $round, $ask: $ms ms, engine CPU $cpu ms"
    echo "$ms ${cpu:-0}" >> "$work/${ask//,/_}"
  done
done
first=${asks[0]//,/_}
plain=$(col "$first" 1); plain_cpu=$(col "$first" 2)
for ask in "${asks[@]}"; do
  m=$(col "${ask//,/_}" 1); c=$(col "${ask//,/_}" 2)
  awk -v a="$ask" -v m="$m" -v p="$plain" -v c="$c" -v pc="$plain_cpu" -v f="${asks[0]}" 'BEGIN {
    printf "median %-34s %6d ms  %.2fx of %s; engine CPU %6d ms  %.2fx\n", a, m, m / p, f, c, (pc > 0 ? c / pc : 0) }'
done
echo "load after: $(uptime)"
