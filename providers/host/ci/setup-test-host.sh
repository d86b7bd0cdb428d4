#!/usr/bin/env bash
# Installs and starts what the host-agent tests need (run as root, idempotent):
#   docker.io       the real Docker Engine the tests create containers and networks in
#   busybox-static  the root filesystem of the test images (imported with `docker import`, nothing is pulled)
#   docker-registry a registry on loopback for the image-pull test
#   iproute2        the veth pair the macvlan test parents its network on
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
[ -x /bin/busybox ] && /bin/busybox --list 2>/dev/null | grep -qx sleep && dpkg -s busybox-static >/dev/null 2>&1 \
  || missing+=(busybox-static)
[ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi
if ! docker info >/dev/null 2>&1; then
  nohup dockerd >/tmp/dockerd.log 2>&1 &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
fi
docker info --format 'Docker Engine {{.ServerVersion}} ({{.Driver}}, cgroup v{{.CgroupVersion}})' \
  || { echo "dockerd did not start; see /tmp/dockerd.log" >&2; tail -20 /tmp/dockerd.log >&2; exit 1; }
