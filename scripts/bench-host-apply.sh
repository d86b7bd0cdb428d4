#!/usr/bin/env bash
# Applying N containers (default 200) on this machine's Docker Engine, three ways, same run:
#  1. `fleetform apply` of a fleet of N instances on a local host pool (agent, ledger, state), parallelism 10;
#  2. the `docker` CLI, one `docker run` after another;
#  3. `xargs -P10 docker run`: the CLI at parallelism 10;
#  4. raw docker-java create + start at parallelism 10 (no agent, no state);
#  5. the same raw docker-java, each container asking the Engine for what a fleet instance asks for (a user-defined
#     network with a fixed IPv4, a bind-mounted data directory, init, restart policy, labels): what of the gap is the
#     Engine's own work for those. The row's ratio stays against 4, the plain peer;
#  6. `fleetform apply` of the same fleet with `network = agent_bridge` (the agent's own Linux bridge and a veth per
#     container instead of a Docker network), beside
#  7. raw docker-java making each container as 5 does, but on a bridge made by hand (network mode none, then a
#     veth): a second row, against the same plain peer 4 and against 7.
# Prints the wall time of each and the ratios, then the same as markdown rows of the README's Speed
# table (one round each: a round takes minutes; AB_ROUNDS=3 runs the two fleets' applies and the three raw peers
# three times, in turns, and takes the median of each; the CLI contenders run once). Needs dockerd and
# scripts/quickstart-image.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-200}
zones=$(( (count + 9) / 10 ))
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
scripts/quickstart-image.sh 1 >/dev/null
mvn -q -B -DskipTests -pl cli -am package >&2
# Through the reactor (-am): the project's modules are never installed into ~/.m2.
mvn -q -B -pl providers/host -am test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" \
  -Dmdep.includeScope=test >&2

# A fleet name and IP pool of this run's own: the Engine can keep an earlier run's network when an endpoint of
# it stays behind (seen under heavy load), and two fleets never share a network or an overlapping subnet.
used=$(docker network ls -q | xargs docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}')
pool=""
for third in 0 4 8 12 16 20 24 28; do
  if ! grep -q "172\.29\.${third}\." <<<"$used"; then pool="172.29.${third}.0/22"; break; fi
done
[ -n "$pool" ] || { echo "bench-host-apply: no free /22 in 172.29.0.0/16 for the fleet" >&2; exit 1; }
cat > "$work/bench.fleet" <<FLEET
fleet "bench-$$" { owner = "bench" }
image "toy" {
  name = "fleetform/busybox"
  tag  = "1"
}
hosts "here" { local = true }
idc "local" {
  region  = "here"
  target  = hosts.here
  ip_pool = "${pool}"
}
zones "b" from 1 to ${zones} as z {
  idc = idc.local
FLEET
for s in 0 1 2 3 4 5 6 7 8 9; do
  cat >> "$work/bench.fleet" <<FLEET
  service "s${s}" {
    image   = image.toy
    cpu     = 100m
    memory  = 16Mi
    command = ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
  }
FLEET
done
echo "}" >> "$work/bench.fleet"
# The same fleet on the agent's own bridge, in a directory (state, agent) of its own and on another /22: the kernel
# must not see the first fleet's Docker network and this bridge route one subnet.
mkdir -p "$work/ab"
pool_ab=""
for third in 0 4 8 12 16 20 24 28; do
  candidate="172.29.${third}.0/22"
  if [ "$candidate" != "$pool" ] && ! grep -q "172\.29\.${third}\." <<<"$used" \
    && ! ip -4 -o addr show | grep -q " 172\.29\.${third}\."; then pool_ab=$candidate; break; fi
done
[ -n "$pool_ab" ] || { echo "bench-host-apply: no second free /22 in 172.29.0.0/16" >&2; exit 1; }
sed -e "s|bench-$$|bench-$$-ab|" -e "s|${pool}|${pool_ab}|" \
  -e 's|    memory  = 16Mi|    memory  = 16Mi\n    network = agent_bridge|' "$work/bench.fleet" > "$work/ab/bench.fleet"

ms() { date +%s%3N; }
# destroy DIR: the round's fleet goes. Under load Docker Engine 20.10 can keep an endpoint of a container removed
# beside others, and then refuses to remove the network ("has active endpoints"); Fleetform keeps the instance in
# its state and fails the destroy, which is right for a user and fatal for a round. One more try after a pause,
# then the bench stops saying why, instead of ending without a word.
destroy() {
  ./fleetform destroy "$1" --auto-approve --parallelism 10 | tail -1 && return 0
  echo "bench-host-apply: destroying $1 failed (above); trying once more in 5 s" >&2
  sleep 5
  ./fleetform destroy "$1" --auto-approve --parallelism 10 | tail -1 && return 0
  echo "bench-host-apply: $1 could not be destroyed. If the Engine said a network 'has active endpoints' while no" \
    "container is on it, that is the Engine's stale endpoint: restart dockerd, then 'docker network rm' it" >&2
  exit 1
}
echo "load before: $(uptime)"
# The launcher's first run of a freshly built jar records its class-data-sharing archive (a one-time cost of
# the build, not of an apply), one per JVM option set: let an untimed validate record the short commands'
# and an untimed apply that plans and then stops (no terminal to confirm in, nothing changed) apply's.
./fleetform validate "$work" >/dev/null
./fleetform apply "$work" </dev/null >/dev/null 2>&1 || true
./fleetform apply "$work/ab" </dev/null >/dev/null 2>&1 || true
# A /22 of 10.213.0.0/16 that no Docker network and no address on this machine overlaps: the Engine can keep the
# previous peer's network (an endpoint left behind under load), and a Linux bridge of an overlapping subnet would
# route it two ways.
free_peer_subnet() {
  local used third
  used=$(docker network ls -q | xargs docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{end}}')
  for third in 0 4 8 12 16 20 24 28; do
    if ! grep -q "10\.213\.${third}\." <<<"$used" && ! ip -4 -o addr show | grep -q " 10\.213\.${third}\."; then
      echo "10.213.${third}.0/22"; return
    fi
  done
  echo "bench-host-apply: no free /22 in 10.213.0.0/16 for a peer" >&2; exit 1
}
raw_peer() { # FILE [SUBNET ASKS]: runs the peer, prints its line and appends its time (the "N ms" in it) to FILE
  local file=$1 line; shift
  line=$(java -cp "providers/host/target/test-classes:providers/host/target/classes:$(cat "$work/cp")" \
    io.fleetform.provider.host.bench.RawDockerBenchmark $((zones * 10)) 10 fleetform/busybox:1 "$@")
  echo "$line"
  echo "$line" | grep -o '[0-9]* ms' | grep -o '[0-9]*' >> "$file"
}
# Every round runs the five contenders that make the two rows one after another (the two fleets' applies and the
# three raw peers), AB_ROUNDS times (default 1); each figure is the median of its rounds, so a peer's own drift
# between rounds (22 to 26 s seen for the plain one in a day) is in its median as the fleets' is in theirs.
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2)) }'; }
for f in docker-network agent-bridge raw raw-fleet raw-veth; do : > "$work/$f-ms"; done
for round in $(seq 1 "${AB_ROUNDS:-1}"); do
  t0=$(ms); ./fleetform apply "$work" --auto-approve --parallelism 10 | tail -1; t1=$(ms)
  echo $((t1 - t0)) >> "$work/docker-network-ms"
  destroy "$work"
  raw_peer "$work/raw-ms"
  t0=$(ms); ./fleetform apply "$work/ab" --auto-approve --parallelism 10 | tail -1; t1=$(ms)
  echo $((t1 - t0)) >> "$work/agent-bridge-ms"
  destroy "$work/ab"
  subnet=$(free_peer_subnet)
  raw_peer "$work/raw-fleet-ms" "$subnet"
  subnet=$(free_peer_subnet)
  raw_peer "$work/raw-veth-ms" "$subnet" veth,init,bind,restart,labels
  echo "round $round: Docker network $(tail -1 "$work/docker-network-ms") ms, raw $(tail -1 "$work/raw-ms") ms," \
    "agent_bridge $(tail -1 "$work/agent-bridge-ms") ms, raw as fleet instances $(tail -1 "$work/raw-fleet-ms") ms," \
    "on a hand-made bridge $(tail -1 "$work/raw-veth-ms") ms; load $(cut -d' ' -f1-3 /proc/loadavg)"
done
fleetform_ms=$(median < "$work/docker-network-ms")
agent_bridge_ms=$(median < "$work/agent-bridge-ms")
raw_ms=$(median < "$work/raw-ms")
raw_fleet_ms=$(median < "$work/raw-fleet-ms")
raw_veth_ms=$(median < "$work/raw-veth-ms")

# The docker CLI, once: slower than every other contender, and no goal is set against it.
t0=$(ms)
for i in $(seq 1 $((zones * 10))); do
  docker run -d --name "cli-bench-$$-$i" --cpus 0.1 --memory 16m fleetform/busybox:1 \
    sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" >/dev/null
done
t1=$(ms); cli_ms=$((t1 - t0))
docker rm -f $(docker ps -aq --filter "name=cli-bench-$$-") >/dev/null

t0=$(ms)
seq 1 $((zones * 10)) | xargs -P10 -I{} docker run -d --name "xargs-bench-$$-{}" --cpus 0.1 --memory 16m \
  fleetform/busybox:1 sh -c "trap 'exit 0' TERM; while true; do sleep 1; done" >/dev/null
t1=$(ms); xargs_ms=$((t1 - t0))
docker rm -f $(docker ps -aq --filter "name=xargs-bench-$$-") >/dev/null
echo "fleetform apply: ${fleetform_ms} ms; docker CLI one by one: ${cli_ms} ms; raw docker-java: ${raw_ms} ms;" \
  "raw docker-java as fleet instances: ${raw_fleet_ms} ms; fleetform apply, agent_bridge: ${agent_bridge_ms} ms;" \
  "raw docker-java as fleet instances on a hand-made bridge: ${raw_veth_ms} ms"
awk -v f="$fleetform_ms" -v c="$cli_ms" -v r="$raw_ms" -v rf="$raw_fleet_ms" 'BEGIN {
  printf "ratio fleetform/CLI = %.2f, fleetform/raw = %.2f, fleetform/raw-as-fleet-instances = %.2f\n", f/c, f/r, f/rf }'
uptime
rounds=${AB_ROUNDS:-1}
if [ "$rounds" -gt 1 ]; then caption="parallelism 10; medians of $rounds rounds, the CLI once"; else caption="parallelism 10; one round"; fi
awk -v n="$((zones * 10))" -v f="$fleetform_ms" -v c="$cli_ms" -v r="$raw_ms" -v x="$xargs_ms" -v rf="$raw_fleet_ms" -v cap="$caption" 'BEGIN {
  printf "| apply %d containers on the local Docker Engine (%s) | %.1f s | raw docker-java %.1f s (each made as a fleet instance is: %.1f s); `xargs -P10 docker run` %.1f s; `docker run` one by one %.1f s | %.2f× of raw docker-java (%.2f× of it as fleet instances); %.2f× of xargs; %.2f× of one by one |\n",
    n, cap, f / 1000, r / 1000, rf / 1000, x / 1000, c / 1000, f / r, f / rf, f / x, f / c }'
awk -v n="$((zones * 10))" -v f="$agent_bridge_ms" -v r="$raw_ms" -v rv="$raw_veth_ms" -v cap="${caption%, the CLI once}" 'BEGIN {
  printf "| apply %d containers on the local Docker Engine, `network = agent_bridge` (%s) | %.1f s | raw docker-java %.1f s (each made as a fleet instance is, on a bridge made by hand: %.1f s) | %.2f× of raw docker-java (%.2f× of it on the hand-made bridge) |\n",
    n, cap, f / 1000, r / 1000, rv / 1000, f / r, f / rv }'
