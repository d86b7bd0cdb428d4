#!/usr/bin/env bash
# Kubernetes apply speed: a generated fleet of ZONES zones (default 50) × 3 services (a StatefulSet
# with its headless Service and ConfigMap, two Deployments with their Services: 7 objects a zone,
# plus the namespace) made on the real kube-apiserver (scripts/k8s-test-cluster.sh, with the
# deployment, statefulset, garbage-collector and namespace controllers) by a whole
# `fleetform apply` (fresh state, new namespace) and, in the same run, the same objects by
# `kubectl apply --server-side` of `fleetform render`'s output (also into a new namespace), alone
# and followed by `kubectl rollout status` of its Deployments and StatefulSets.
#
# What each side waits for: `fleetform apply` plans (reads every object), applies each object with
# server-side apply (Kubernetes objects 50 at a time: five times --parallelism) and waits for each
# workload's rollout, woken by one watch per workload kind; `kubectl apply` waits for nothing;
# `rollout status` watches until the controllers report the rollouts done, one workload after another. There is no kubelet, so the services
# run 0 replicas: a rollout is done when its controller has seen the new generation.
#
# Every run is checked: the namespace holds exactly the rendered objects, labelled as the fleet's.
# Medians of RUNS (default 5) after one warm-up of each, the contenders taking turns; the
# namespaces are deleted at the end and the API server stopped.
#
# Usage: scripts/bench-kubernetes.sh [RUNS] [ZONES]
# Prints a markdown row for the README's Speed table.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-5}
zones=${2:-50}
kubectl_bin=${KUBECTL:-kubectl}
command -v "$kubectl_bin" >/dev/null || {
  echo "bench-kubernetes: kubectl is missing (set KUBECTL=/path/to/kubectl)" >&2
  exit 1
}
work=$(mktemp -d /tmp/fleetform-bench-kubernetes-XXXXXX)
fleet=bench-k8s-$RANDOM$RANDOM
namespaces=()
cleanup() {
  if [ -f "$work/cluster/env" ]; then
    if [ ${#namespaces[@]} -gt 0 ]; then
      kc delete namespace "${namespaces[@]}" --ignore-not-found --wait=true --timeout=120s >/dev/null 2>&1 \
        || echo "bench-kubernetes: the namespaces were not all deleted within 120 s" >&2
    fi
    scripts/k8s-test-cluster.sh stop "$work/cluster" >&2 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "bench-kubernetes: building the CLI" >&2
mvn -q -B -DskipTests -pl cli -am package >&2

scripts/k8s-test-cluster.sh build >&2
mkdir -p "$work/cluster"
scripts/k8s-test-cluster.sh start "$work/cluster" --context bench \
  --controllers deployment,statefulset,garbagecollector,namespace >&2
kubeconfig=$work/cluster/kubeconfig
kc() { "$kubectl_bin" --kubeconfig "$kubeconfig" --context bench "$@"; }
kc version >/dev/null 2>&1 || { echo "bench-kubernetes: $kubectl_bin cannot talk to the test API server" >&2; exit 1; }

# write_fleet DIR NAMESPACE: the fleet, targeting NAMESPACE, in DIR/main.fleet.
write_fleet() {
  mkdir -p "$1"
  cat > "$1/main.fleet" <<EOF
fleet "$fleet" { owner = "bench" }
image "game" {
  name = "fleetform/busybox"
  tag  = "1"
}
cluster "k" {
  context    = "bench"
  namespace  = "$2"
  kubeconfig = "$kubeconfig"
}
idc "dc" {
  region = "here"
  target = cluster.k
}
zones "z" from 1 to $zones as z {
  idc = idc.dc
  service "game" {
    image    = image.game
    cpu      = 250m
    memory   = 256Mi
    replicas = 0
    ports    = { game = 7000 }
    env      = { ZONE = z.name }
    config   = { "/etc/game/game.conf" = "zone=\${z.name}\n" }
  }
  service "chat" {
    image     = image.game
    cpu       = 100m
    memory    = 64Mi
    replicas  = 0
    stateless = true
    ports     = { chat = 7100 }
  }
  service "match" {
    image     = image.game
    cpu       = 100m
    memory    = 128Mi
    replicas  = 0
    stateless = true
    ports     = { match = 7200 }
    env       = { ZONE = z.name }
  }
}
EOF
}

run=0
# timed LABEL CMD...: wall and CPU seconds of CMD (which makes the fleet in namespace $ns),
# appended to $work/LABEL when counting; then the namespace must hold exactly the rendered objects.
timed() {
  local label=$1
  shift
  if ! /usr/bin/time -f '%e %U %S' -o "$work/t" "$@" >"$work/out" 2>&1; then
    echo "bench-kubernetes: $label failed:" >&2
    tail -20 "$work/out" >&2
    exit 1
  fi
  local got
  got=$(kc get configmaps,services,deployments,statefulsets -n "$ns" -l "fleetform.io/fleet=$fleet" -o name | wc -l)
  if [ "$got" != "$((zones * 7))" ]; then
    echo "bench-kubernetes: after $label namespace $ns holds $got of the fleet's objects, not $((zones * 7))" >&2
    tail -20 "$work/out" >&2
    exit 1
  fi
  if [ "${counting:-false}" = true ]; then
    awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/t" >> "$work/$label"
  fi
}
# next_namespace: a new namespace name in $ns, its fleet in $work/$ns.
next_namespace() {
  run=$((run + 1))
  ns=$fleet-$run
  namespaces+=("$ns")
  write_fleet "$work/$ns" "$ns"
}
ff() {
  next_namespace
  timed ff "$root/fleetform" apply "$work/$ns" --auto-approve
}
# kubectl's side gets the render of a fleet targeting its own new namespace (made before the clock starts).
render() {
  next_namespace
  "$root/fleetform" render "$work/$ns" > "$work/$ns/rendered.yaml"
}
ka() {
  render
  timed kubectl "$kubectl_bin" --kubeconfig "$kubeconfig" --context bench apply --server-side \
    --field-manager fleetform -f "$work/$ns/rendered.yaml"
}
ks() {
  render
  timed status bash -c '"$0" --kubeconfig "$1" --context bench apply --server-side --field-manager fleetform -f "$2" &&
    "$0" --kubeconfig "$1" --context bench rollout status -n "$3" deployment,statefulset -l "fleetform.io/fleet=$4" \
      --timeout=300s' "$kubectl_bin" "$kubeconfig" "$work/$ns/rendered.yaml" "$ns" "$fleet"
}

echo "bench-kubernetes: $zones zones × 3 services; warm-up, then $runs runs each" >&2
counting=false
ff
ka
ks
counting=true
for _ in $(seq "$runs"); do
  ff
  ka
  ks
done

# shellcheck source=bench/stats.sh
. scripts/bench/stats.sh  # the working directory is the checkout (cd above)
ratio() { awk -v a="$(col ff 1)" -v b="$(col "$1" 1)" 'BEGIN { printf "%.1f×", a / b }'; }
printf '| make %s objects (%s zones × 3 services, 0 replicas) in a new namespace on the test kube-apiserver, whole `fleetform apply` (plans, applies 50 at a time, waits for each rollout through a watch) | %s s (CPU %s s; %s) | `kubectl apply --server-side` of the render %s s (CPU %s s; %s); the same + `kubectl rollout status` %s s (CPU %s s; %s) | %s of apply; %s of apply + rollout status |\n' \
  "$((zones * 7 + 1))" "$zones" \
  "$(col ff 1)" "$(col ff 2)" "$(range ff)" \
  "$(col kubectl 1)" "$(col kubectl 2)" "$(range kubectl)" \
  "$(col status 1)" "$(col status 2)" "$(range status)" \
  "$(ratio kubectl)" "$(ratio status)"
