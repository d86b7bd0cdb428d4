#!/usr/bin/env bash
# Makes the image examples/quickstart runs, fleetform/busybox:1, from Debian's busybox-static:
# a one-binary root filesystem imported into the local Docker Engine (nothing is pulled).
# Usage: scripts/quickstart-image.sh [TAG]   (default 1)
# An image that is already there is kept: importing again would give the tag a new image ID, and a
# fleet running it (a test, the quickstart) would then see its image changed under it.
set -euo pipefail
tag=${1:-1}
# one import at a time on this machine: two test runs finding the image missing at once would both import,
# and the second would move the tag under a fleet the first already runs
exec 9>"${TMPDIR:-/tmp}/fleetform-quickstart-image.lock"
flock 9
if docker image inspect "fleetform/busybox:$tag" >/dev/null 2>&1; then
  echo "fleetform/busybox:$tag is already there"
  exit 0
fi
busybox=$(command -v busybox || true)
[ -x /bin/busybox ] && busybox=/bin/busybox
if [ -z "$busybox" ] || ! "$busybox" --list >/dev/null 2>&1 || ! file -L "$busybox" 2>/dev/null | grep -q static; then
  [ -x /bin/busybox ] || { echo "install busybox-static first: apt-get install -y busybox-static" >&2; exit 1; }
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root/bin" "$root/data" "$root/tmp" "$root/etc"
cp "$busybox" "$root/bin/busybox"
for applet in sh sleep echo cat ls env hostname ip ps; do ln -s busybox "$root/bin/$applet"; done
echo "root:x:0:0:root:/:/bin/sh" > "$root/etc/passwd"
tar -C "$root" -c . | docker import - "fleetform/busybox:$tag" >/dev/null
echo "imported fleetform/busybox:$tag"
