#!/usr/bin/env bash
# k8s-test-cluster.sh - a real Kubernetes API server (etcd + kube-apiserver,
# no nodes) on loopback ports, for Fleetform integration tests.
#
# Usage:
#   scripts/k8s-test-cluster.sh build
#       Installs what is needed with apt (Debian 12), builds kube-apiserver
#       and kube-controller-manager from Debian's `kubernetes` source package
#       (upstream 1.20.2, vendored dependencies, Debian's golang-1.19-go,
#       offline; about 3-4 min on 2 cores) and caches them in
#       ${FLEETFORM_CACHE:-$HOME/.cache/fleetform}/kubernetes-1.20.2/bin.
#       Does nothing if the cached binaries already run.
#   scripts/k8s-test-cluster.sh start DIR [--context NAME] [--timeout SECONDS]
#                                         [--controllers LIST]
#       Starts etcd + kube-apiserver on free 127.0.0.1 ports, with certs,
#       token file, etcd data and logs under DIR; waits for /readyz; writes
#       DIR/kubeconfig (context NAME, default fleetform-test) and DIR/env
#       (KEY=VALUE lines: KUBE_APISERVER_URL, KUBECONFIG, KUBE_TOKEN,
#       KUBE_CA_FILE, ETCD_PID, KUBE_APISERVER_PID, ...). Each start gives an
#       empty cluster; several DIRs can run side by side. --controllers
#       also runs kube-controller-manager with those controllers, e.g.
#       garbagecollector,namespace (foreground/cascading deletion and
#       namespace deletion then finish); default: none.
#   scripts/k8s-test-cluster.sh stop DIR
#       Stops the cluster started in DIR (TERM, then KILL after a grace time).
#   scripts/k8s-test-cluster.sh restart-controllers DIR
#       Restarts the kube-controller-manager of a cluster started with
#       --controllers. Its garbage collector learns new kinds (CRDs) from
#       discovery at start, then only every 30 s: restart it after
#       installing CRDs instead of waiting for that.
#   scripts/k8s-test-cluster.sh status DIR
#       Exit 0 if the cluster in DIR is running and ready.
#   scripts/k8s-test-cluster.sh smoke DIR
#       curl-only end-to-end check of the cluster in DIR (namespace, SSA of a
#       StatefulSet, status subresource, conflicts, delete).
#
# What the cluster is (and is not): the API server uses RBAC; the test user
# (token in DIR/kubeconfig) is in system:masters. There is no scheduler or
# kubelet and, unless --controllers, no kube-controller-manager: objects are
# stored and validated but nothing reconciles them (no pods from a
# StatefulSet, no garbage collection, so foreground deletion and namespace
# deletion never finish). The ServiceAccount admission plugin is disabled:
# it needs the service-account/token controllers, without them pod creation
# fails. Server-side apply is a 1.20 one: see scripts/README.md.
#
# Environment:
#   FLEETFORM_CACHE         cache root (default $HOME/.cache/fleetform)
#   K8S_TEST_KEEP_BUILD=1   keep the Go build tree after `build` (debugging)
set -euo pipefail

readonly K8S_VERSION=1.20.2
readonly GO_BIN_DIR=/usr/lib/go-1.19/bin
readonly CACHE_ROOT=${FLEETFORM_CACHE:-$HOME/.cache/fleetform}
readonly K8S_HOME=$CACHE_ROOT/kubernetes-$K8S_VERSION
readonly BIN_DIR=$K8S_HOME/bin
readonly APT_ETC=${K8S_TEST_APT_ETC:-/etc/apt} # overridable for tests of the sources conversion only
readonly DEFAULT_CONTEXT=fleetform-test
readonly PROG=${0##*/}

RUNTIME_PKGS=(etcd-server openssl curl ca-certificates)
# golang-github-modern-go-reflect2-dev: reflect2 1.0.2 replaces the vendored
# 1.0.1, which makes json-iterator panic (nil pointer in reflect2.Type2) on
# Go >= 1.18 when the API server encodes e.g. a StatefulSet.
BUILD_PKGS=(golang-1.19-go rsync make tar gzip golang-github-modern-go-reflect2-dev)
BINARIES=(kube-apiserver kube-controller-manager)

log() { printf '%s: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: ERROR: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
  sed -n '2,/^set -euo/{/^#/s/^# \{0,1\}//p}' "$0" >&2
  exit 2
}

as_root() {
  if [[ $EUID -eq 0 ]]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"
  fi
}

# ---------------------------------------------------------------- packages

missing_pkgs() {
  local p
  for p in "$@"; do
    if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) != "install ok installed" ]]; then
      printf '%s\n' "$p"
    fi
  done
}

ensure_pkgs() {
  local missing
  mapfile -t missing < <(missing_pkgs "$@")
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "installing with apt: ${missing[*]}"
  as_root apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

# ------------------------------------------------- source package download

# Prints deb-src entries (deb822 format) for every enabled "deb" entry of the
# system's Debian sources whose suite belongs to this release (CODENAME or
# CODENAME-*). No host is named here: URIs come from the system's files.
# Handles deb822 *.sources files and classic one-line *.list / sources.list.
debsrc_entries() {
  local codename=$1 f
  for f in "$APT_ETC"/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    awk -v cn="$codename" '
      function flush() {
        if (n > 0 && isdeb && enabled && keep) printf "%s\n\n", stanza
        n = 0; stanza = ""; isdeb = 0; enabled = 1; keep = 0
      }
      BEGIN { enabled = 1 }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        line = $0; key = tolower($1)
        if (key == "types:") {
          for (i = 2; i <= NF; i++) if ($i == "deb") isdeb = 1
          line = "Types: deb-src"
        } else if (key == "suites:") {
          for (i = 2; i <= NF; i++) if ($i == cn || index($i, cn "-") == 1) keep = 1
        } else if (key == "enabled:" && tolower($2) == "no") {
          enabled = 0
        }
        stanza = stanza (n++ ? "\n" : "") line
      }
      END { flush() }' "$f"
  done
  for f in "$APT_ETC"/sources.list "$APT_ETC"/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    # deb [ opt=val ... ] URI SUITE COMPONENT...  ->  deb822 deb-src stanza
    awk -v cn="$codename" '
      $1 != "deb" { next }
      {
        sub(/#.*/, ""); i = 2; opts = ""
        if ($2 ~ /^\[/) {
          line = $0; sub(/^[^[]*\[/, "", line); sub(/\].*$/, "", line); opts = line
          while ($i !~ /\]$/ && i <= NF) i++
          i++
        }
        uri = $i; suite = $(i + 1); comps = ""
        for (j = i + 2; j <= NF; j++) comps = comps " " $j
        if (!(suite == cn || index(suite, cn "-") == 1) || comps == "") next
        printf "Types: deb-src\nURIs: %s\nSuites: %s\nComponents:%s\n", uri, suite, comps
        n = split(opts, o, /[ \t]+/)
        for (k = 1; k <= n; k++) {
          split(o[k], kv, "=")
          if (kv[1] == "signed-by") printf "Signed-By: %s\n", kv[2]
          else if (kv[1] == "trusted") printf "Trusted: %s\n", kv[2]
        }
        printf "\n"
      }' "$f"
  done
}

fetch_source() {
  local work=$1 aptdir=$1/apt codename
  # shellcheck source=/dev/null
  codename=$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")
  [[ -n $codename ]] || die "cannot tell the Debian release (no VERSION_CODENAME in /etc/os-release)"
  mkdir -p "$aptdir/sources.list.d" "$aptdir/lists/partial" "$work/download"
  debsrc_entries "$codename" > "$aptdir/sources.list.d/debian-src.sources"
  [[ -s $aptdir/sources.list.d/debian-src.sources ]] \
    || die "no enabled Debian '$codename' entry found in $APT_ETC/sources.list{,.d/*} to derive deb-src from"
  log "deb-src entries derived from the system's apt sources:"
  sed 's/^/    /' "$aptdir/sources.list.d/debian-src.sources" >&2
  # Private lists and no shared caches: the system's apt state is untouched.
  local apt_opts=(
    -o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
    -o Dir::Etc::SourceList=/dev/null
    -o "Dir::State::Lists=$aptdir/lists"
    -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache=
  )
  [[ $EUID -eq 0 ]] && apt_opts+=(-o APT::Sandbox::User=root)
  log "apt-get update (deb-src only, private lists in $aptdir)"
  apt-get "${apt_opts[@]}" update -qq || die "apt-get update of the deb-src lists failed"
  log "downloading the 'kubernetes' source package"
  (cd "$work/download" && apt-get "${apt_opts[@]}" source --download-only -qq kubernetes) \
    || die "apt-get source --download-only kubernetes failed"
}

# ------------------------------------------------------------------- build

binaries_ok() {
  local b
  for b in "${BINARIES[@]}"; do
    [[ -x $BIN_DIR/$b ]] && "$BIN_DIR/$b" --version 2>/dev/null | grep -q "v$K8S_VERSION" || return 1
  done
}

cmd_build() {
  ensure_pkgs "${RUNTIME_PKGS[@]}"
  mkdir -p "$K8S_HOME"
  exec 9>"$K8S_HOME/.build.lock"
  if ! flock -n 9; then
    log "another build is running; waiting for it"
    flock 9
  fi
  if binaries_ok; then
    log "cached: ${BINARIES[*]} $("$BIN_DIR/kube-apiserver" --version) in $BIN_DIR (nothing to do)"
    printf '%s\n' "$BIN_DIR"
    return 0
  fi
  ensure_pkgs "${BUILD_PKGS[@]}"
  [[ -x $GO_BIN_DIR/go ]] || die "$GO_BIN_DIR/go not found after installing golang-1.19-go"

  local work=$K8S_HOME/work start=$SECONDS
  rm -rf "$work"
  mkdir -p "$work"
  fetch_source "$work"

  local orig
  orig=$(find "$work/download" -maxdepth 1 -name "kubernetes_*$K8S_VERSION.orig.tar.gz" | head -n1)
  [[ -n $orig ]] || die "the source package has no upstream $K8S_VERSION tarball; got: $(ls "$work/download")"
  local tree=$work/gopath/src/k8s.io/kubernetes
  mkdir -p "$tree"
  log "unpacking $(basename "$orig")"
  tar -xzf "$orig" -C "$tree" --strip-components=1
  [[ -f $tree/cmd/kube-apiserver/apiserver.go ]] || die "unexpected tarball layout in $orig"
  local reflect2=/usr/share/gocode/src/github.com/modern-go/reflect2
  [[ -f $reflect2/go_above_118.go ]] || die "$reflect2 is not reflect2 >= 1.0.2 (needed for Go >= 1.18)"
  log "replacing vendored github.com/modern-go/reflect2 1.0.1 with Debian's $(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)"
  rsync -a --delete --exclude go.mod --exclude '*_test.go' "$reflect2/" "$tree/vendor/github.com/modern-go/reflect2/"

  log "building ${BINARIES[*]} (GOPATH mode, nice 19; a cold build takes a few minutes)"
  (
    cd "$tree"
    unset GOFLAGS GOROOT GOBIN
    export PATH=$GO_BIN_DIR:$PATH GOPATH=$work/gopath GOCACHE=$work/gocache \
      CGO_ENABLED=0 GO111MODULE=off
    nice -n 19 make WHAT="${BINARIES[*]/#/cmd/}"
  ) > "$work/build.log" 2>&1 || { tail -n 40 "$work/build.log" >&2; die "build failed; full log: $work/build.log"; }

  mkdir -p "$BIN_DIR"
  local b
  for b in "${BINARIES[@]}"; do
    cp "$tree/_output/bin/$b" "$BIN_DIR/.$b.tmp"
    mv -f "$BIN_DIR/.$b.tmp" "$BIN_DIR/$b"
  done
  binaries_ok || die "the built binaries do not report v$K8S_VERSION"
  if [[ ${K8S_TEST_KEEP_BUILD:-0} != 1 ]]; then rm -rf "$work"; fi
  log "built ${BINARIES[*]} $("$BIN_DIR/kube-apiserver" --version) in $((SECONDS - start))s; binaries in $BIN_DIR ($(du -sh "$BIN_DIR" | cut -f1))"
  printf '%s\n' "$BIN_DIR"
}

# ------------------------------------------------------------- start/stop

abs_dir() { mkdir -p "$1" && (cd "$1" && pwd -P); }

# Local TCP ports in use (any state), one decimal a line.
used_ports() {
  local f sl addr rest
  for f in /proc/net/tcp /proc/net/tcp6; do
    [[ -r $f ]] || continue
    while read -r sl addr rest; do
      [[ $sl == sl || ! $addr =~ :[0-9A-Fa-f]+$ ]] || printf '%d\n' "$((16#${addr##*:}))"
    done < "$f"
  done
}

# N distinct free ports from 20000-32767 (below the ephemeral range).
free_ports() {
  local n=$1 used p out=()
  used=" $(used_ports | sort -un | tr '\n' ' ') "
  while [[ ${#out[@]} -lt $n ]]; do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12768))
    [[ $used == *" $p "* ]] && continue
    used+="$p "
    out+=("$p")
  done
  printf '%s\n' "${out[@]}"
}

# PID is alive (not a zombie) and its command line mentions DIR.
pid_is_ours() {
  local pid=$1 dir=$2 state
  [[ -n $pid && -r /proc/$pid/cmdline ]] || return 1
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
  [[ $state != Z ]] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF -- "$dir/"
}

read_env_var() { # FILE KEY
  [[ -f $1 ]] && sed -n "s/^$2=//p" "$1" | tail -n1
}

# Stops the PIDs that are still ours, all at once: TERM, wait up to GRACE
# seconds, then KILL.
stop_pids() { # DIR GRACE PID...
  local dir=$1 grace=$2 pid i live=()
  shift 2
  for pid in "$@"; do pid_is_ours "$pid" "$dir" && live+=("$pid"); done
  [[ ${#live[@]} -eq 0 ]] && return 0
  kill -TERM "${live[@]}" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    any_ours "$dir" "${live[@]}" || break
    sleep 0.1
  done
  for pid in "${live[@]}"; do
    if pid_is_ours "$pid" "$dir"; then
      log "$(cat "/proc/$pid/comm" 2>/dev/null) (pid $pid) did not stop in ${grace}s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
  for ((i = 0; i < 50; i++)); do any_ours "$dir" "${live[@]}" || break; sleep 0.1; done
  # Reap them if they are our children (start failing half-way); otherwise
  # they were re-parented to init: give init a moment to reap the zombies.
  for pid in "${live[@]}"; do wait "$pid" 2>/dev/null || true; done
  local left
  for ((i = 0; i < 50; i++)); do
    left=0
    for pid in "${live[@]}"; do [[ -e /proc/$pid ]] && left=1; done
    [[ $left == 1 ]] || break
    sleep 0.1
  done
}

any_ours() { # DIR PID...
  local dir=$1 pid
  shift
  for pid in "$@"; do pid_is_ours "$pid" "$dir" && return 0; done
  return 1
}

gen_material() {
  local d=$1
  mkdir -p "$d/pki"
  (
    cd "$d/pki"
    umask 077
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout ca.key -out ca.crt -days 3650 -subj "/CN=fleetform-test-ca" \
      -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
      -keyout apiserver.key -out apiserver.csr -subj "/CN=kube-apiserver" 2>/dev/null
    printf '%s\n' "basicConstraints=CA:FALSE" "keyUsage=critical,digitalSignature,keyEncipherment" \
      "extendedKeyUsage=serverAuth" \
      "subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc" > apiserver.ext
    openssl x509 -req -in apiserver.csr -CA ca.crt -CAkey ca.key -CAcreateserial \
      -out apiserver.crt -days 3650 -extfile apiserver.ext 2>/dev/null
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:prime256v1 -out sa.key 2>/dev/null
    openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null
    chmod 644 ca.crt apiserver.crt sa.pub
  ) || die "openssl failed to generate certificates in $d/pki"
  local token
  token=$(openssl rand -hex 32)
  (umask 077 && printf '%s,fleetform-admin,fleetform-admin,"system:masters"\n' "$token" > "$d/pki/tokens.csv")
  printf '%s' "$token"
}

launch() { # LOGFILE CMD... ; prints the pid
  local logf=$1; shift
  setsid "$@" </dev/null >"$logf" 2>&1 &
  printf '%s' "$!"
}

wait_ready() { # DIR URL TOKEN TIMEOUT APISERVER_PID ETCD_PID
  local d=$1 url=$2 token=$3 timeout=$4 apid=$5 epid=$6 deadline body
  deadline=$((SECONDS + timeout))
  while ((SECONDS < deadline)); do
    body=$(curl -s --max-time 3 --cacert "$d/pki/ca.crt" -H "Authorization: Bearer $token" "$url/readyz" 2>/dev/null || true)
    [[ $body == ok ]] && return 0
    if ! pid_is_ours "$apid" "$d"; then echo "kube-apiserver exited"; return 1; fi
    if ! pid_is_ours "$epid" "$d"; then echo "etcd exited"; return 1; fi
    sleep 0.25
  done
  echo "not ready after ${timeout}s (last /readyz answer: ${body:-none})"
  return 1
}

port_clash() { grep -qiE 'address already in use' "$@" 2>/dev/null; }

# Starts kube-controller-manager with CONTROLLERS against the cluster in DIR; prints its pid,
# or fails (with its log's last lines) if it exited at once.
launch_controllers() { # DIR CONTROLLERS
  local dir=$1 controllers=$2 kcmpid
  # No serving ports (--port/--secure-port 0): nothing to clash between clusters.
  # The controllers' client gets the request rate a production control plane gives them
  # (the default 20 requests a second, burst 30, makes 150 new Deployments take ~20 s of
  # ReplicaSet and status writes whoever waits for them); FLEETFORM_K8S_KCM_QPS overrides it.
  local kcm_qps=${FLEETFORM_K8S_KCM_QPS:-200}
  kcmpid=$(launch "$dir/logs/kube-controller-manager.log" "$BIN_DIR/kube-controller-manager" \
    --kubeconfig "$dir/kubeconfig" --controllers "$controllers" --leader-elect=false \
    --kube-api-qps "$kcm_qps" --kube-api-burst "$((kcm_qps * 2))" \
    --port 0 --secure-port 0 --cert-dir "$dir/pki" \
    --service-account-private-key-file "$dir/pki/sa.key" --root-ca-file "$dir/pki/ca.crt" \
    --cluster-signing-cert-file "$dir/pki/ca.crt" --cluster-signing-key-file "$dir/pki/ca.key")
  [[ -f $dir/pids ]] && printf 'KUBE_CONTROLLER_MANAGER_PID=%s\n' "$kcmpid" >> "$dir/pids"
  sleep 1
  if ! pid_is_ours "$kcmpid" "$dir"; then
    log "--- last lines of $dir/logs/kube-controller-manager.log"; tail -n 30 "$dir/logs/kube-controller-manager.log" >&2 || true
    return 1
  fi
  printf '%s' "$kcmpid"
}

# Stops the cluster's kube-controller-manager and starts it again with the same controllers. Its
# garbage collector reads discovery at start and then only every 30 s (hard-coded): a test that
# has just installed CRDs restarts it instead of waiting for foreground deletion of those kinds.
cmd_restart_controllers() {
  [[ $# -eq 1 ]] || die "usage: $PROG restart-controllers DIR"
  local dir controllers kcmpid
  dir=$(cd "$1" 2>/dev/null && pwd -P) || die "no such directory: $1"
  [[ -f $dir/env ]] || die "no cluster started in $dir"
  controllers=$(read_env_var "$dir/env" KUBE_CONTROLLERS)
  [[ -n $controllers ]] || die "the cluster in $dir runs no controllers (start it with --controllers)"
  stop_pids "$dir" 15 "$(read_env_var "$dir/env" KUBE_CONTROLLER_MANAGER_PID)"
  kcmpid=$(launch_controllers "$dir" "$controllers") || die "kube-controller-manager (--controllers $controllers) exited"
  sed -i "s/^KUBE_CONTROLLER_MANAGER_PID=.*/KUBE_CONTROLLER_MANAGER_PID=$kcmpid/" "$dir/env"
  log "restarted kube-controller-manager in $dir (pid $kcmpid, controllers $controllers)"
}

cmd_start() {
  local dir="" context=$DEFAULT_CONTEXT timeout=120 controllers=""
  while [[ $# -gt 0 ]]; do
    case $1 in
      --context) context=${2:?--context needs a NAME}; shift 2 ;;
      --context=*) context=${1#*=}; shift ;;
      --timeout) timeout=${2:?--timeout needs SECONDS}; shift 2 ;;
      --timeout=*) timeout=${1#*=}; shift ;;
      --controllers) controllers=${2:?--controllers needs a LIST}; shift 2 ;;
      --controllers=*) controllers=${1#*=}; shift ;;
      -*) die "unknown option for start: $1" ;;
      *) [[ -z $dir ]] || die "start takes one DIR"; dir=$1; shift ;;
    esac
  done
  [[ -n $dir ]] || die "usage: $PROG start DIR [--context NAME] [--timeout SECONDS] [--controllers LIST]"
  [[ $controllers =~ ^[A-Za-z0-9*,-]*$ ]] || die "bad controller list: $controllers"
  [[ $context =~ ^[A-Za-z0-9._@:-]+$ ]] || die "bad context name: $context"
  [[ $timeout =~ ^[0-9]+$ ]] || die "bad timeout: $timeout"
  binaries_ok || die "no kube-apiserver v$K8S_VERSION in $BIN_DIR; run '$PROG build' first"
  command -v etcd >/dev/null || die "etcd not found; run '$PROG build' first (installs etcd-server)"
  local c; for c in openssl curl setsid; do command -v "$c" >/dev/null || die "$c not found"; done

  dir=$(abs_dir "$dir")
  [[ $dir =~ ^[A-Za-z0-9._/+@:-]+$ ]] || die "DIR must not contain spaces or shell special characters: $dir"
  if [[ -f $dir/env ]]; then
    local opid
    for opid in "$(read_env_var "$dir/env" KUBE_APISERVER_PID)" "$(read_env_var "$dir/env" ETCD_PID)" \
      "$(read_env_var "$dir/env" KUBE_CONTROLLER_MANAGER_PID)"; do
      pid_is_ours "$opid" "$dir" && die "a cluster is already running in $dir (pid $opid); '$PROG stop $dir' first"
    done
  fi
  rm -rf "$dir/etcd" "$dir/pki" "$dir/logs" "$dir/env" "$dir/kubeconfig"
  mkdir -p "$dir/logs"

  local t0=$SECONDS token
  token=$(gen_material "$dir")

  local attempt ports etcd_port peer_port api_port epid apid why url
  for attempt in 1 2 3; do
    mapfile -t ports < <(free_ports 3)
    [[ ${#ports[@]} -eq 3 ]] || die "could not pick free ports"
    etcd_port=${ports[0]} peer_port=${ports[1]} api_port=${ports[2]}
    rm -rf "$dir/etcd"
    epid=$(launch "$dir/logs/etcd.log" etcd \
      --name default --data-dir "$dir/etcd/" \
      --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
      --listen-peer-urls "http://127.0.0.1:$peer_port" --initial-advertise-peer-urls "http://127.0.0.1:$peer_port" \
      --initial-cluster "default=http://127.0.0.1:$peer_port" --initial-cluster-state new \
      --logger zap --log-outputs stderr)
    apid=$(launch "$dir/logs/kube-apiserver.log" "$BIN_DIR/kube-apiserver" \
      --etcd-servers "http://127.0.0.1:$etcd_port" --etcd-prefix /registry \
      --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" --insecure-port 0 \
      --cert-dir "$dir/pki" --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
      --token-auth-file "$dir/pki/tokens.csv" \
      --service-account-issuer https://kubernetes.default.svc.cluster.local \
      --service-account-key-file "$dir/pki/sa.pub" --service-account-signing-key-file "$dir/pki/sa.key" \
      --authorization-mode RBAC \
      --disable-admission-plugins ServiceAccount \
      --service-cluster-ip-range 10.0.0.0/24 --endpoint-reconciler-type none \
      --allow-privileged=true --profiling=false)
    printf 'ETCD_PID=%s\nKUBE_APISERVER_PID=%s\n' "$epid" "$apid" > "$dir/pids"
    url=https://127.0.0.1:$api_port
    if why=$(wait_ready "$dir" "$url" "$token" "$timeout" "$apid" "$epid"); then
      break
    fi
    if [[ $attempt -lt 3 ]] && port_clash "$dir/logs/etcd.log" "$dir/logs/kube-apiserver.log"; then
      stop_pids "$dir" 5 "$apid" "$epid"
      log "port clash (attempt $attempt); retrying with other ports"
      continue
    fi
    log "$why"
    log "--- last lines of $dir/logs/etcd.log"; tail -n 15 "$dir/logs/etcd.log" >&2 || true
    log "--- last lines of $dir/logs/kube-apiserver.log"; tail -n 30 "$dir/logs/kube-apiserver.log" >&2 || true
    stop_pids "$dir" 5 "$apid" "$epid"
    rm -f "$dir/pids"
    die "cluster in $dir did not become ready"
  done

  local ca_b64
  ca_b64=$(base64 -w0 < "$dir/pki/ca.crt")
  cat > "$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: $context
  cluster:
    server: $url
    certificate-authority-data: $ca_b64
users:
- name: $context-admin
  user:
    token: $token
contexts:
- name: $context
  context:
    cluster: $context
    user: $context-admin
    namespace: default
current-context: $context
EOF
  chmod 600 "$dir/kubeconfig"

  local kcmpid=""
  if [[ -n $controllers ]]; then
    kcmpid=$(launch_controllers "$dir" "$controllers") || {
      stop_pids "$dir" 5 "$apid" "$epid"
      rm -f "$dir/pids"
      die "kube-controller-manager (--controllers $controllers) exited"
    }
  fi

  cat > "$dir/env" <<EOF
KUBE_APISERVER_URL=$url
KUBECONFIG=$dir/kubeconfig
KUBE_CONTEXT=$context
KUBE_TOKEN=$token
KUBE_CA_FILE=$dir/pki/ca.crt
KUBE_VERSION=v$K8S_VERSION
ETCD_URL=http://127.0.0.1:$etcd_port
ETCD_PID=$epid
KUBE_APISERVER_PID=$apid
KUBE_CONTROLLER_MANAGER_PID=$kcmpid
KUBE_CONTROLLERS=$controllers
EOF
  rm -f "$dir/pids"
  log "ready in $((SECONDS - t0))s: $url (context $context${controllers:+, controllers $controllers}); KUBECONFIG=$dir/kubeconfig; env in $dir/env"
}

cmd_stop() {
  [[ $# -eq 1 ]] || die "usage: $PROG stop DIR"
  [[ -d $1 ]] || die "no such directory: $1"
  local dir f apid epid kcmpid
  dir=$(cd "$1" && pwd -P)
  f=$dir/env; [[ -f $f ]] || f=$dir/pids
  if [[ ! -f $f ]]; then log "nothing started in $dir"; return 0; fi
  apid=$(read_env_var "$f" KUBE_APISERVER_PID)
  epid=$(read_env_var "$f" ETCD_PID)
  kcmpid=$(read_env_var "$f" KUBE_CONTROLLER_MANAGER_PID)
  if ! pid_is_ours "$apid" "$dir" && ! pid_is_ours "$epid" "$dir" && ! pid_is_ours "$kcmpid" "$dir"; then
    log "cluster in $dir is not running"
    return 0
  fi
  stop_pids "$dir" 15 "$kcmpid" "$apid" "$epid"
  log "stopped cluster in $dir"
}

cmd_status() {
  [[ $# -eq 1 ]] || die "usage: $PROG status DIR"
  local dir url token
  dir=$(cd "$1" 2>/dev/null && pwd -P) || die "no such directory: $1"
  [[ -f $dir/env ]] || { log "no cluster started in $dir"; return 1; }
  url=$(read_env_var "$dir/env" KUBE_APISERVER_URL)
  token=$(read_env_var "$dir/env" KUBE_TOKEN)
  if [[ $(curl -s --max-time 3 --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $token" "$url/readyz" || true) == ok ]]; then
    log "ready: $url"
  else
    log "not ready: $url"; return 1
  fi
}

# ------------------------------------------------------------------- smoke

# End-to-end check of a running cluster with curl only; prints
# "N passed, N failed" and exits non-zero on any failure.
cmd_smoke() {
  [[ $# -eq 1 ]] || die "usage: $PROG smoke DIR"
  local dir url token ns base pass=0 fail=0 code out
  dir=$(cd "$1" 2>/dev/null && pwd -P) || die "no such directory: $1"
  [[ -f $dir/env ]] || die "no cluster started in $dir"
  url=$(read_env_var "$dir/env" KUBE_APISERVER_URL)
  token=$(read_env_var "$dir/env" KUBE_TOKEN)
  ns=smoke-$$-$RANDOM
  base=$url/apis/apps/v1/namespaces/$ns/statefulsets
  out=$(mktemp)
  req() { # METHOD URL [CONTENT-TYPE BODY] -> sets $code, response body in $out
    local args=(-sS -o "$out" -w '%{http_code}' --cacert "$dir/pki/ca.crt" -H "Authorization: Bearer $token" -X "$1")
    [[ $# -ge 4 ]] && args+=(-H "Content-Type: $3" --data-binary "$4")
    code=$(curl "${args[@]}" "$2") || code=000
  }
  check() { # NAME EXPECTED-CODE [ERE that the body must match]
    if [[ $code == "$2" ]] && { [[ -z ${3-} ]] || grep -Eq -- "$3" "$out"; }; then
      pass=$((pass + 1)); printf 'ok    %s (HTTP %s)\n' "$1" "$code"
    else
      fail=$((fail + 1)); printf 'FAIL  %s (HTTP %s, wanted %s%s)\n' "$1" "$code" "$2" "${3:+ and /$3/}"
      head -c 600 "$out" | sed 's/^/      /'; echo
    fi
  }
  local sts
  sts="apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
  namespace: $ns
spec:
  serviceName: web
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: example.invalid/app:1
        resources:
          requests: {cpu: 500m, memory: 64Mi}
          limits: {cpu: \"2\", memory: 128Mi}
"
  req POST "$url/api/v1/namespaces" application/json "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"$ns\"}}"
  check "create namespace $ns" 201
  req PATCH "$base/web?fieldManager=fleetform" application/apply-patch+yaml "$sts"
  check "server-side apply StatefulSet (creates it)" 201 '"manager": *"fleetform"'
  req PATCH "$base/web?fieldManager=fleetform" application/apply-patch+yaml "$sts"
  check "server-side apply again (no change)" 200 '"generation": *1,'
  req GET "$base/web"
  check "read it back" 200 '"replicas": *2'
  req PATCH "$base/web/status" application/merge-patch+json '{"status":{"replicas":2,"readyReplicas":2,"observedGeneration":1}}'
  check "patch the status subresource" 200 '"readyReplicas": *2'
  req PATCH "$base/web?fieldManager=fleetform" application/apply-patch+yaml "${sts/cpu: \"2\"/cpu: 8}"
  check "SSA with cpu: 8 (a number, not a string) is refused by 1.20" 500 'cpu: expected string'
  req PATCH "$base/web?fieldManager=other" application/apply-patch+yaml \
    "$(printf 'apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: web, namespace: %s}\nspec: {replicas: 5}\n' "$ns")"
  check "SSA of an owned field by another manager conflicts" 409 'conflict with .*fleetform'
  req POST "$url/api/v1/namespaces/$ns/pods" application/json \
    '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"c","image":"example.invalid/app:1"}]}}'
  check "create a pod (ServiceAccount admission is off)" 201
  req DELETE "$base/web"
  check "delete the StatefulSet" 200
  req GET "$base/web"
  check "it is gone" 404
  rm -f "$out"
  printf '%d passed, %d failed\n' "$pass" "$fail"
  [[ $fail -eq 0 ]]
}

main() {
  [[ $# -ge 1 ]] || usage
  local cmd=$1; shift
  case $cmd in
    build) [[ $# -eq 0 ]] || die "build takes no arguments"; cmd_build ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    status) cmd_status "$@" ;;
    restart-controllers) cmd_restart_controllers "$@" ;;
    smoke) cmd_smoke "$@" ;;
    -h|--help|help) usage ;;
    *) die "unknown command: $cmd (build | start DIR [--context NAME] | stop DIR | status DIR | restart-controllers DIR | smoke DIR)" ;;
  esac
}

main "$@"; exit $?
