#!/usr/bin/env bash
# State write cost per backend at ZONES x SERVICES instances (default 2,000 x 10 = 20,000):
# a no-op apply (lock, read, unlock) and a 1-zone change (lock, read, one journal record per
# resource of the zone, final write, unlock); median of RUNS. Backends: local, git over file://
# and git:// (a git daemon on loopback), and kubernetes on a test kube-apiserver
# (scripts/k8s-test-cluster.sh; skipped if it is not built). Set FLEETFORM_STATE_PASSPHRASE to
# measure encrypted states. Builds with the reactor (no install).
# Usage: scripts/bench-state.sh [ZONES] [SERVICES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
zones=${1:-2000}
services=${2:-10}
runs=${3:-5}
work=$(mktemp -d)
daemon=
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null || true
  [ -f "$work/k8s/env" ] && scripts/k8s-test-cluster.sh stop "$work/k8s" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

mvn -q -B -pl cli-tests -am test-compile dependency:build-classpath -Dmdep.outputFile="$work/cp" -Dmdep.includeScope=test \
  -Dsurefire.skip=true
cp="cli-tests/target/test-classes:cli/target/classes:$(cat "$work/cp")"
for m in engine-api engine stdlib dsl-grammar state-backends/local state-backends/git state-backends/kubernetes; do
  cp="$cp:$m/target/classes"
done

git init -q --bare "$work/file.git"
git init -q --bare "$work/daemon.git"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
git daemon --reuseaddr --export-all --enable=receive-pack --listen=127.0.0.1 --port="$port" --base-path="$work" "$work" &
daemon=$!
backends=(local "git=url=file://$work/file.git" "git=url=git://127.0.0.1:$port/daemon.git")

if scripts/k8s-test-cluster.sh start "$work/k8s" --context bench >/dev/null 2>&1; then
  backends+=("kubernetes=kubeconfig=$work/k8s/kubeconfig,context=bench,namespace=default")
else
  echo "(kubernetes skipped: scripts/k8s-test-cluster.sh build first)"
fi
sleep 0.5
java -Xmx2g -cp "$cp" io.fleetform.cli.bench.StateWriteBenchmark "$zones" "$services" "$runs" "$work/run" "${backends[@]}"
