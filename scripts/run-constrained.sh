#!/usr/bin/env bash
# Runs the service (or any command after --) inside CPUS cpus and MEMORY bytes, swap included, and
# checks that the limits are really in force before saying so.
#
#   scripts/run-constrained.sh                       # the service on HOST:PORT, 1 CPU, 256m
#   CPUS=0.5 MEMORY=128m scripts/run-constrained.sh
#   METHOD=cgroup scripts/run-constrained.sh         # force one: docker | cgroup | systemd | unconstrained
#   scripts/run-constrained.sh -- node -e '...'      # any command under the same limits (not with docker)
#
# Methods, tried in this order by METHOD=auto:
#   docker   a Docker engine that answers `docker info`: build the image, `docker run --cpus --memory
#            --memory-swap` (equal memory and memory-swap: no swap), port published on HOST:PORT.
#   cgroup   a child of the cgroup this script runs in, per controller: v2 cpu.max, memory.max,
#            memory.swap.max; v1 cpu.cfs_quota_us/cpu.cfs_period_us, memory.limit_in_bytes,
#            memory.memsw.limit_in_bytes. Usually needs root.
#   systemd  `systemd-run --scope` (--user when not root), for cgroup v2 hosts where this script's own
#            cgroup cannot have children with controllers (a login session's scope).
# None working is an error. METHOD=unconstrained runs without limits, loudly labelled.
#
# While running, STATE_FILE (default .data/constrained.json) names the method and the cgroup files
# (cpu.stat, memory usage), so load runs can sample throttling and memory; on exit it gets the final
# counters, peak memory and whether the kernel killed the service for memory.
#
# Everything that is not a privileged write, a signal or an exec is TypeScript, asked through
# `node dist/lab/cli.js`: the limits from CPUS, MEMORY and HEAP_MB in every unit a method needs
# (lab/limits.ts), where a process's cgroups are and which limits the kernel holds there
# (lab/cgroup.ts), the service's default address and settings (server/config.ts); the state file,
# its counters and the health probe (lab/constrained-state.ts). This script creates, joins and
# verifies the limits with them.
set -euo pipefail
cd "$(dirname "$0")/.."

METHOD=${METHOD:-auto}
STATE_FILE=${STATE_FILE:-.data/constrained.json}
IMAGE=${IMAGE:-backend-bottleneck-lab}
NAME=lab-constrained-$$
LAB_CLI=dist/lab/cli.js
STATE_JS=dist/lab/constrained-state.js

say() { printf 'run-constrained: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

# Sets the variables of the NAME=value lines lab/cli.js prints (printf -v assigns: nothing is evaluated).
set_vars() { # lines
  local k v
  while IFS='=' read -r k v; do [[ -n $k ]] && printf -v "$k" '%s' "$v"; done <<<"$1"
}

# ---- arguments and limits ------------------------------------------------------------------------

CMD=()
if [[ $# -gt 0 ]]; then
  [[ $1 == -- ]] || die "usage: $0 [-- command args...]"
  shift
  [[ $# -gt 0 ]] || die "nothing after --"
  CMD=("$@")
fi

[[ -f $LAB_CLI && -f $STATE_JS ]] || die "$LAB_CLI is missing: run \`make build-ts\` first (make run-constrained does)"
# Sets CPUS QUOTA_US PERIOD_US MEM_BYTES MEM_MIB HEAP_MB NANO_CPUS CPU_PERCENT HOST PORT
# SERVICE_SETTINGS; a bad CPUS, MEMORY or HEAP_MB is refused there, with the reason.
if [[ ${#CMD[@]} -eq 0 ]]; then
  SERVICE=1
  plan=$(node "$LAB_CLI" constrained-plan --service) || exit 2
  set_vars "$plan"
  CMD=(node "--max-old-space-size=$HEAP_MB" dist/server/main.js)
else
  SERVICE=0
  plan=$(node "$LAB_CLI" constrained-plan) || exit 2
  set_vars "$plan"
fi
CONTAINER=${CONTAINER:-backend-bottleneck-lab-$PORT}
export HOST PORT

# ---- state file (lab/constrained-state.ts) ---------------------------------------------------------

STARTED_AT=$(date -u +%Y-%m-%dT%H:%M:%SZ)
state_running() { # extra options of constrained-state.js
  node "$STATE_JS" running "$STATE_FILE" --method "$APPLIED" --started-at "$STARTED_AT" --url "http://$HOST:$PORT" \
    --pid "${SERVICE_PID:-${CHILD:-}}" --cpus "$CPUS" --quota-us "$QUOTA_US" --period-us "$PERIOD_US" --memory-bytes "$MEM_BYTES" --heap-mb "$HEAP_MB" "$@"
}
# Writes the end into the state file, prints the counters, and echoes oom or ok.
state_stopped() { # exit-status, extra options
  local rc=$1
  shift
  node "$STATE_JS" stopped "$STATE_FILE" --exit-status "$rc" "$@" || echo ok
}

# ---- cgroup discovery (lab/cgroup.ts) ----------------------------------------------------------------

# Sets CG_VERSION and CG_PARENT (v2) or CG_CPU_PARENT and CG_MEM_PARENT (v1) for this process, or for
# the pid given (a container's, seen from the host); returns 1 when no usable hierarchy is mounted.
find_cgroups() { # [pid]
  local found rc=0
  CG_VERSION=""
  found=$(node "$LAB_CLI" cgroups "$@") || rc=$?
  ((rc != 2)) || exit 2
  ((rc == 0)) || return 1
  set_vars "$found"
}

has_word() { [[ ",$1," == *",$2,"* ]]; }

# ---- the cgroup method -------------------------------------------------------------------------------

CG_DIRS=()
WHY_NOT=()

# Creates the child cgroup(s) and writes the limits; on any failure removes what it made and returns 1
# with the reason in WHY_NOT.
setup_cgroup() {
  if ! find_cgroups; then WHY_NOT+=("cgroup: no cgroup v2 tree with cpu+memory and no v1 cpu and memory hierarchies mounted"); return 1; fi
  local err
  if [[ $CG_VERSION == 2 ]]; then
    local sub; sub=$(cat "$CG_PARENT/cgroup.subtree_control" 2>/dev/null || true)
    if ! has_word "${sub// /,}" cpu || ! has_word "${sub// /,}" memory; then
      # Fails with EBUSY when the parent holds processes (cgroup v2's no-internal-process rule), as a
      # login session's scope does: systemd-run is the way there.
      if ! err=$( { echo "+cpu +memory" >"$CG_PARENT/cgroup.subtree_control"; } 2>&1); then
        WHY_NOT+=("cgroup v2: cannot enable cpu and memory for children of $CG_PARENT: ${err##*: }")
        return 1
      fi
    fi
    CG_CG=$CG_PARENT/$NAME
    if ! err=$(mkdir "$CG_CG" 2>&1); then WHY_NOT+=("cgroup v2: cannot create a child of $CG_PARENT: ${err##*: }"); return 1; fi
    CG_DIRS=("$CG_CG")
    # (&&: errexit does not reach into a command substitution, so each write must gate the next.)
    if ! err=$( {
      echo "$QUOTA_US $PERIOD_US" >"$CG_CG/cpu.max" &&
        echo "$MEM_BYTES" >"$CG_CG/memory.max" &&
        # Absent when the kernel has no swap accounting; then there is no swap to cap.
        if [[ -f $CG_CG/memory.swap.max ]]; then echo 0 >"$CG_CG/memory.swap.max"; fi
    } 2>&1); then
      WHY_NOT+=("cgroup v2: cannot write limits in $CG_CG: ${err##*: }"); remove_cgroups; return 1
    fi
  else
    CG_CPU=$CG_CPU_PARENT/$NAME CG_MEM=$CG_MEM_PARENT/$NAME
    if ! err=$(mkdir "$CG_CPU" 2>&1); then WHY_NOT+=("cgroup v1: cannot create a child of $CG_CPU_PARENT: ${err##*: }"); return 1; fi
    CG_DIRS=("$CG_CPU")
    if ! err=$(mkdir "$CG_MEM" 2>&1); then WHY_NOT+=("cgroup v1: cannot create a child of $CG_MEM_PARENT: ${err##*: }"); remove_cgroups; return 1; fi
    CG_DIRS+=("$CG_MEM")
    if ! err=$( {
      echo "$PERIOD_US" >"$CG_CPU/cpu.cfs_period_us" &&
        echo "$QUOTA_US" >"$CG_CPU/cpu.cfs_quota_us" &&
        echo "$MEM_BYTES" >"$CG_MEM/memory.limit_in_bytes" &&
        # memsw (memory + swap) exists only with swap accounting; it must not be below the memory
        # limit, so equal means no swap at all.
        if [[ -f $CG_MEM/memory.memsw.limit_in_bytes ]]; then echo "$MEM_BYTES" >"$CG_MEM/memory.memsw.limit_in_bytes"; fi
    } 2>&1); then
      WHY_NOT+=("cgroup v1: cannot write limits: ${err##*: }"); remove_cgroups; return 1
    fi
  fi
}

remove_cgroups() {
  local d pid i
  for d in "${CG_DIRS[@]}"; do
    [[ -d $d ]] || continue
    # Leftover processes (a forked child) keep the cgroup busy; rmdir needs it empty.
    if [[ -f $d/cgroup.kill ]]; then echo 1 >"$d/cgroup.kill" 2>/dev/null || true; fi
    for i in 1 2 3 4 5 6 7 8 9 10; do
      [[ -s $d/cgroup.procs ]] || break
      while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done <"$d/cgroup.procs"
      sleep 0.1
    done
    rmdir "$d" 2>/dev/null || say "could not remove $d (still busy?)"
  done
  CG_DIRS=()
}

# Reads back the limits of the cgroup(s) a process lives in, as the kernel holds them, into
# VERIFIED ("quota period memory"), with CG_VERSION, VERIFIED_CPU_FILE, VERIFIED_MEM_DIR and
# SWAP_NOTE (capped at zero, none on the machine, or loudly uncapped); fails on any mismatch with
# what was asked.
verify_pid_limits() { # pid
  local out rc=0
  out=$(node "$LAB_CLI" verify-cgroup "$1" "$QUOTA_US" "$PERIOD_US" "$MEM_BYTES") || rc=$?
  ((rc != 2)) || exit 2
  set_vars "$out"
  return "$rc"
}

# ---- run ----------------------------------------------------------------------------------------------

APPLIED=""
CHILD=""
KEEPER=""
STOPPING=0

docker_works() {
  command -v docker >/dev/null 2>&1 || { WHY_NOT+=("docker: no docker command"); return 1; }
  local err
  if ! err=$(timeout 10 docker info --format '{{.ServerVersion}}' 2>&1); then
    WHY_NOT+=("docker: the CLI is there but no engine answers ($(grep -m1 . <<<"$err" || echo "docker info failed"))"); return 1
  fi
}

systemd_works() {
  command -v systemd-run >/dev/null 2>&1 || { WHY_NOT+=("systemd: no systemd-run"); return 1; }
  # systemd-run needs a running systemd to create the scope; METHOD=systemd lets systemd-run itself
  # answer that.
  [[ $METHOD == systemd || -d /run/systemd/system ]] || { WHY_NOT+=("systemd: systemd is not the init system here"); return 1; }
}

forward_stop() {
  STOPPING=1
  if [[ $APPLIED == docker ]]; then
    cat "${DOCKER_CG_CPU_STAT:-/nonexistent}" >"$DOCKER_CPU_STAT" 2>/dev/null ||
      docker exec "$CONTAINER" sh -c 'cat /sys/fs/cgroup/cpu.stat 2>/dev/null || cat /sys/fs/cgroup/cpu/cpu.stat' >"$DOCKER_CPU_STAT" 2>/dev/null || true
    docker stop -t 15 "$CONTAINER" >/dev/null 2>&1 || true
  elif [[ -n $CHILD ]]; then
    kill -TERM "$CHILD" 2>/dev/null || true
  fi
}

wait_child() {
  local rc=0
  # (stderr: bash's own "Killed" job notice; the OOM report below says it better.)
  wait "$CHILD" 2>/dev/null || rc=$?
  # A trapped signal interrupts `wait` early: wait again for the real status.
  while kill -0 "$CHILD" 2>/dev/null; do rc=0; wait "$CHILD" 2>/dev/null || rc=$?; done
  return "$rc"
}

banner_limits="cpus=$CPUS (cpu quota ${QUOTA_US}us per ${PERIOD_US}us) memory=$MEM_BYTES bytes ($MEM_MIB MiB)"

# Polls the service's own health and prints the limits it reports from inside. With Docker the probe
# runs in the container (the host may have no Node), against the container's own port.
service_alive() {
  if [[ $APPLIED == docker ]]; then
    [[ $(docker inspect -f '{{.State.Running}}' "$CONTAINER" 2>/dev/null) == true ]]
  else
    kill -0 "$CHILD" 2>/dev/null
  fi
}
report_inside() {
  [[ $SERVICE == 1 ]] || return 0
  local i body
  for i in $(seq 1 100); do
    if [[ $APPLIED == docker ]]; then
      body=$(docker exec "$CONTAINER" node "$STATE_JS" health "$INNER_URL" 2>/dev/null) || body=""
    else
      body=$(node "$STATE_JS" health "http://$HOST:$PORT/heavy/health/" 2>/dev/null) || body=""
    fi
    if [[ -n $body ]]; then
      say "health from inside: $body"
      return 0
    fi
    service_alive || return 0
    sleep 0.2
  done
  say "WARNING: /heavy/health/ did not answer within 20 s"
}

run_docker() {
  say "method: docker (engine $(docker info --format '{{.ServerVersion}}'))"
  [[ $SERVICE == 1 ]] || die "a command after -- runs only with the cgroup or systemd method; the docker method runs the image"
  # The image: base stand-ins built once (no registry needed), see scripts/docker-build.sh.
  [[ ${DOCKER_SKIP_BUILD:-0} == 1 ]] || scripts/docker-build.sh
  docker rm -f "$CONTAINER" >/dev/null 2>&1 || true
  local envs=() v
  # The host's network by default: an engine started with --bridge=none (scripts/docker-engine.sh)
  # has no bridge to publish a port from, and loopback-only load needs no NAT on the way.
  # DOCKER_NETWORK=bridge publishes HOST:PORT instead.
  local DOCKER_NET="--network host -e HOST=$HOST -e PORT=$PORT" INNER_URL="http://$HOST:$PORT/heavy/health/"
  if [[ ${DOCKER_NETWORK:-host} == bridge ]]; then DOCKER_NET="-p $HOST:$PORT:8000"; INNER_URL=http://127.0.0.1:8000/heavy/health/; fi
  # The service's own settings (server/config.ts) pass through when set here; HOST, PORT and
  # DATA_DIR belong to the container.
  for v in $SERVICE_SETTINGS; do
    [[ -n ${!v:-} ]] && envs+=(-e "$v=${!v}")
  done
  # --init: a real PID 1 that forwards signals and reaps, so `docker stop` reaches the server's
  # graceful shutdown.
  docker run -d --init --name "$CONTAINER" --cpus "$CPUS" --memory "$MEM_BYTES" --memory-swap "$MEM_BYTES" \
    -e "NODE_OPTIONS=--max-old-space-size=$HEAP_MB" "${envs[@]}" $DOCKER_NET "$IMAGE" >/dev/null
  APPLIED=docker
  local nano mem swap
  read -r nano mem swap < <(docker inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' "$CONTAINER")
  if [[ $nano != "$NANO_CPUS" || $mem != "$MEM_BYTES" || $swap != "$MEM_BYTES" ]]; then
    die "docker did not apply the limits (NanoCpus=$nano Memory=$mem MemorySwap=$swap; asked $NANO_CPUS $MEM_BYTES $MEM_BYTES)"
  fi
  say "verified by docker inspect: NanoCpus=$nano Memory=$mem MemorySwap=$swap ($banner_limits, no swap)"
  # The container seen from the host, as the cgroup method records it: the server's pid (docker-init's
  # child) and the container's cgroup files, so load runs sample its CPU, RSS and throttling alike.
  local init cg=() i
  init=$(docker inspect -f '{{.State.Pid}}' "$CONTAINER" 2>/dev/null || echo 0)
  if [[ $init =~ ^[1-9][0-9]*$ ]]; then
    for i in $(seq 1 50); do SERVICE_PID=$(pgrep -P "$init" | head -n 1 || true); [[ -n $SERVICE_PID ]] && break; sleep 0.1; done
  fi
  if [[ $init =~ ^[1-9][0-9]*$ ]] && find_cgroups "$init"; then
    if [[ $CG_VERSION == 2 ]]; then DOCKER_CG_CPU_STAT=$CG_PARENT/cpu.stat DOCKER_CG_MEM=$CG_PARENT
    else DOCKER_CG_CPU_STAT=$CG_CPU_PARENT/cpu.stat DOCKER_CG_MEM=$CG_MEM_PARENT; fi
    [[ -r $DOCKER_CG_CPU_STAT ]] && cg=(--cgroup-version "$CG_VERSION" --cpu-stat "$DOCKER_CG_CPU_STAT" --memory-dir "$DOCKER_CG_MEM")
  fi
  [[ ${#cg[@]} -gt 0 ]] || say "note: the container's cgroup is not visible from here; its throttling is read from inside at the end"
  state_running --container "$CONTAINER" --image "$IMAGE" "${cg[@]}"
  DOCKER_CPU_STAT=$(mktemp)
  trap forward_stop INT TERM
  docker logs -f "$CONTAINER" &
  local logs=$!
  report_inside
  # `docker wait` runs in the background because bash runs a trap only between commands: in the
  # foreground it would hold a TERM for this script until the container ended by itself.
  local rcfile; rcfile=$(mktemp)
  docker wait "$CONTAINER" >"$rcfile" &
  CHILD=$!
  wait_child || true
  CHILD=""
  local rc; rc=$(cat "$rcfile"); rm -f "$rcfile"
  [[ $rc =~ ^[0-9]+$ ]] || rc=1
  kill "$logs" 2>/dev/null || true
  local oom; oom=$(docker inspect -f '{{.State.OOMKilled}}' "$CONTAINER")
  docker rm "$CONTAINER" >/dev/null 2>&1 || true
  local stat=() verdict
  [[ -s $DOCKER_CPU_STAT ]] && stat=(--cpu-stat "$DOCKER_CPU_STAT")
  verdict=$(state_stopped "$rc" --container "$CONTAINER" "${stat[@]}" $([[ $oom == true ]] && echo --oom-killed))
  rm -f "$DOCKER_CPU_STAT"
  finish "$rc" "$verdict"
}

run_cgroup() {
  if [[ $CG_VERSION == 2 ]]; then
    say "method: cgroup v2, child $CG_CG"
  else
    say "method: cgroup v1, children $CG_CPU and $CG_MEM"
  fi
  APPLIED=cgroup-v$CG_VERSION
  trap forward_stop INT TERM
  # The subshell joins the cgroup(s) itself and stops; it becomes the command only once the limits
  # are verified on it, so nothing runs outside them, and a command that dies at once (an OOM in
  # its first milliseconds) is still verified first.
  (
    for d in "${CG_DIRS[@]}"; do echo "$BASHPID" >"$d/cgroup.procs"; done
    kill -STOP "$BASHPID"
    exec "${CMD[@]}"
  ) &
  CHILD=$!
  wait_stopped "$CHILD"
  after_start
}

run_systemd() {
  local user=()
  [[ $(id -u) -eq 0 ]] || user=(--user)
  say "method: systemd-run ${user[*]:+${user[*]} }--scope, unit $NAME.scope"
  APPLIED=systemd
  trap forward_stop INT TERM
  # MemorySwapMax=0 is the cgroup v2 spelling of "no swap"; CPUQuota is per 100 ms period.
  # As with the cgroup method, the command stops itself inside the scope and starts only once the
  # limits are verified on it (systemd-run execs it with the same pid).
  systemd-run "${user[@]}" --scope --quiet --collect --unit="$NAME" \
    -p "CPUQuota=$CPU_PERCENT%" -p "MemoryMax=$MEM_BYTES" -p MemorySwapMax=0 \
    -- bash -c 'kill -STOP $$; exec "$@"' run-constrained "${CMD[@]}" &
  CHILD=$!
  wait_stopped "$CHILD"
  after_start
}

# Waits (up to 5 s) until the started command has stopped itself inside its limits.
wait_stopped() {
  local i
  for i in $(seq 1 100); do
    [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) == T ]] && break
    sleep 0.05
  done
}

# Verifies the limits of the process that was started, reports, waits, and reports the end.
after_start() {
  VERIFIED="" VERIFIED_CPU_FILE="" VERIFIED_MEM_DIR="" SWAP_NOTE=""
  if ! verify_pid_limits "$CHILD"; then
    kill -KILL "$CHILD" 2>/dev/null || true
    wait "$CHILD" 2>/dev/null || true
    [[ $APPLIED == systemd ]] || remove_cgroups
    die "the limits are not in force for pid $CHILD (kernel has quota/period/memory = ${VERIFIED:-unreadable}); refusing to run unconstrained"
  fi
  say "verified in the kernel for pid $CHILD: quota/period/memory = $VERIFIED; $banner_limits; $SWAP_NOTE; state in $STATE_FILE"
  # systemd removes a scope's cgroup as soon as it is empty, taking the counters read at exit (and
  # the OOM record) with it: a sleeping keeper inside keeps it until they are read.
  if [[ $APPLIED == systemd ]]; then
    sleep infinity &
    KEEPER=$!
    local d
    for d in "$(dirname "$VERIFIED_CPU_FILE")" "$VERIFIED_MEM_DIR"; do
      echo "$KEEPER" >"$d/cgroup.procs" 2>/dev/null || say "note: cannot keep $d for the exit counters"
    done
  fi
  kill -CONT "$CHILD"
  state_running --cgroup-version "$CG_VERSION" --cpu-stat "$VERIFIED_CPU_FILE" --memory-dir "$VERIFIED_MEM_DIR"
  report_inside
  local rc=0
  wait_child || rc=$?
  # Read before the keeper goes and the cgroups are removed.
  local verdict; verdict=$(state_stopped "$rc" --cpu-stat "$VERIFIED_CPU_FILE" --memory-dir "$VERIFIED_MEM_DIR")
  if [[ -n $KEEPER ]]; then kill "$KEEPER" 2>/dev/null || true; wait "$KEEPER" 2>/dev/null || true; KEEPER=""; fi
  [[ $APPLIED == systemd ]] || remove_cgroups
  finish "$rc" "$verdict"
}

finish() { # rc verdict (oom|ok, from state_stopped, which wrote the state file)
  local rc=$1 oom=0
  [[ $2 == oom ]] && oom=1
  if [[ $oom == 1 ]]; then
    say "KILLED FOR MEMORY: the kernel's OOM killer ended the process at the $MEM_MIB MiB limit (exit status $rc)"
  elif [[ $STOPPING == 1 ]]; then
    say "stopped (exit status $rc)"
  else
    say "the process exited with status $rc"
  fi
  if [[ $oom == 1 ]]; then exit 137; fi
  # A stop we asked for is a clean end, whatever status the signal left.
  if [[ $STOPPING == 1 ]]; then exit 0; fi
  exit "$rc"
}

if [[ $SERVICE == 1 && ! -f dist/server/main.js && $METHOD != docker ]]; then
  die "dist/server/main.js is missing: run \`make build\` first (make run-constrained does)"
fi

cleanup() {
  if [[ -n $CHILD ]] && kill -0 "$CHILD" 2>/dev/null; then kill -KILL "$CHILD" 2>/dev/null || true; fi
  if [[ -n $KEEPER ]]; then kill "$KEEPER" 2>/dev/null || true; fi
  # An error after `docker run` must not leave the container behind.
  if [[ $APPLIED == docker ]]; then docker rm -f "$CONTAINER" >/dev/null 2>&1 || true; fi
  if [[ ${#CG_DIRS[@]} -gt 0 ]]; then remove_cgroups; fi
}
trap cleanup EXIT

case $METHOD in
  auto)
    # The docker method runs the lab's image; a command (a peer) runs in a cgroup or systemd scope.
    if [[ $SERVICE == 1 ]] && docker_works; then run_docker; fi
    if setup_cgroup; then run_cgroup; fi
    if systemd_works; then run_systemd; fi
    say "no way to apply the limits here:"
    for w in "${WHY_NOT[@]}"; do say "  - $w"; done
    die "refusing to run without them. Start a Docker engine, run as root (or in a cgroup you may write), or on a systemd host; METHOD=unconstrained runs without limits, loudly labelled."
    ;;
  docker) docker_works || die "METHOD=docker: ${WHY_NOT[-1]}"; run_docker ;;
  cgroup) setup_cgroup || die "METHOD=cgroup: ${WHY_NOT[-1]}"; run_cgroup ;;
  systemd) systemd_works || die "METHOD=systemd: ${WHY_NOT[-1]}"; run_systemd ;;
  unconstrained)
    APPLIED=unconstrained
    say "**************************************************************************"
    say "UNCONSTRAINED: no CPU or memory limit is applied. Numbers from this run"
    say "are NOT comparable with the 1 CPU / 256 MB ones."
    say "**************************************************************************"
    state_running --unconstrained
    trap forward_stop INT TERM
    "${CMD[@]}" &
    CHILD=$!
    rc=0; wait_child || rc=$?
    finish "$rc" "$(state_stopped "$rc")"
    ;;
  *) die "METHOD must be auto, docker, cgroup, systemd or unconstrained (got '$METHOD')" ;;
esac
