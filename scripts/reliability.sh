#!/usr/bin/env bash
# The reliability suite (reliability/): SIGKILL and SIGTERM during applies, racing applies (with and
# without a stale lock), fault proxies in front of an agent, a registry and the kube-apiserver, racing
# lock holders of the local, git and kubernetes state backends, all through the real CLI and backends
# on this machine's Docker Engine and a real kube-apiserver; prints the table (also in
# reliability/target/reliability.txt).
#   scripts/reliability.sh [--trials N] [--seed S] [--kinds kill-create,race,...] [--lanes 1|2]
# Trials per kind default to 1 and the seed to 11: that is the CI subset. The kinds run on two lanes
# at once (Docker trials with the agent in the CLI; trials against servers of their own); --lanes 1
# runs them one after the other. Exit 1 if any trial found
# a defect. Kinds: kill-create kill-resize kill-image kill-scale-out race race-stale-lock
# agent-faults registry-faults kube-faults locks-local locks-git locks-kubernetes term-apply.
# Needs dockerd, docker-registry, skopeo, git and the built kube-apiserver (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
trials=1 seed=11 kinds="" lanes=2
while [ $# -gt 0 ]; do
  case "$1" in
    --trials) trials="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --kinds) kinds="$2"; shift 2 ;;
    --lanes) lanes="$2"; shift 2 ;;
    *) echo "usage: scripts/reliability.sh [--trials N] [--seed S] [--kinds a,b] [--lanes 1|2]" >&2; exit 2 ;;
  esac
done
status=0
mvn -B -q -o -pl reliability -am test -Dtest=ReliabilitySuiteTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dreliability.trials="$trials" -Dreliability.seed="$seed" -Dreliability.kinds="$kinds" -Dreliability.lanes="$lanes" \
  -Dreliability.all=true >/tmp/reliability-$$.log 2>&1 || status=$?
grep -E '^(\S+ +trial [0-9]+:|  (agent|registry|kube) faults:|  kill |  locks, |  term apply:)' /tmp/reliability-$$.log || true
echo
cat reliability/target/reliability.txt 2>/dev/null || { tail -40 /tmp/reliability-$$.log; }
rm -f /tmp/reliability-$$.log
exit $(( status == 0 ? 0 : 1 ))
