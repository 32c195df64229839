#!/usr/bin/env bash
# A Docker engine for the lab when none answers, and only then.
#   scripts/docker-engine.sh start            # an engine that answers is left alone; else install + start one
#   scripts/docker-engine.sh stop             # stops the dockerd that `start` started (pid file), nothing else
#   scripts/docker-engine.sh status
#   scripts/docker-engine.sh run -- CMD...    # start if needed, run CMD, stop again only what was started
#
# When `docker info` answers (Docker Desktop, a system service, rootless Docker, a colleague's engine),
# this script neither installs, starts nor stops anything. Otherwise it installs what is missing from
# Debian's archive (docker.io: dockerd, containerd, runc; the docker CLI if there is none) and starts
#   dockerd --iptables=false --ip6tables=false --bridge=none
# which works where the host's firewall may not be touched: no NAT, no default bridge. Containers of the
# lab therefore run and build with `--network host` (the service listens on the loopback address it is
# given). The pid and log live in .data/docker/; images stay in dockerd's data root, so images built
# once (the base images, scripts/docker-images.sh) are there on the next start.
set -euo pipefail
cd "$(dirname "$0")/.."

DATA=.data/docker
PIDFILE=$DATA/dockerd.pid
LOG=$DATA/dockerd.log
DOCKERD_FLAGS=(--iptables=false --ip6tables=false --bridge=none)
SUDO=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)

say() { printf 'docker-engine: %s\n' "$*" >&2; }
die() { say "$*"; exit 2; }

answers() { command -v docker >/dev/null 2>&1 && timeout 10 docker info >/dev/null 2>&1; }

# The pid in the pid file, if that process is still the dockerd we started (a pid can be reused).
our_pid() {
  [[ -f $PIDFILE ]] || return 1
  local pid; pid=$(cat "$PIDFILE")
  [[ $pid =~ ^[0-9]+$ && -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q '^\S*dockerd ' || return 1
  echo "$pid"
}

install_missing() {
  local missing=()
  command -v dockerd >/dev/null 2>&1 || missing+=(docker.io)
  # docker.io brings a CLI; a CLI alone (without an engine) is common.
  [[ ${#missing[@]} -gt 0 ]] || return 0
  say "installing Debian's ${missing[*]} (dockerd, containerd, runc)"
  # Debian's package starts the service from its maintainer script; here the engine is started below
  # with the flags this machine needs (or by the user's init), so the install must not start one:
  # policy-rc.d answering 101 ("action not allowed") is Debian's documented way to say so.
  APT_POLICY_RC_D=101 scripts/apt-install.sh "${missing[@]}" || die "installing ${missing[*]} failed"
}

start() {
  if answers; then
    if pid=$(our_pid); then
      say "the engine this script started is running (pid $pid)"
    else
      say "an engine already answers (server $(docker info --format '{{.ServerVersion}}' 2>/dev/null)); using it, starting nothing"
    fi
    return 0
  fi
  if pid=$(our_pid); then
    die "dockerd $pid (started by this script) is running but does not answer; see $LOG, or \`$0 stop\`"
  fi
  install_missing
  # A socket left by a dead engine would make the new one refuse to start.
  if [[ -S /var/run/docker.sock ]] && ! pgrep -x dockerd >/dev/null; then
    say "removing the stale socket of an engine that is no longer running"
    $SUDO rm -f /var/run/docker.sock
  fi
  pgrep -x dockerd >/dev/null && die "a dockerd runs (pid $(pgrep -x dockerd | tr '\n' ' ')) but does not answer \`docker info\`; not starting a second one"
  mkdir -p "$DATA"
  say "starting dockerd ${DOCKERD_FLAGS[*]} (log $LOG)"
  # setsid: the engine outlives this script (and the make target that ran it) until `stop`. A daemon
  # must not keep its starter's descriptors either: a lock held by a caller (`flock FILE make test`)
  # would stay taken for as long as the engine runs, so every descriptor above 2 is closed first.
  (
    for fd in /proc/$BASHPID/fd/*; do
      fd=${fd##*/}
      if ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
    done
    # dockerd writes the pid file itself (and removes it when it exits).
    exec $SUDO setsid dockerd "${DOCKERD_FLAGS[@]}" --pidfile "$PWD/$PIDFILE" >"$LOG" 2>&1 </dev/null
  ) &
  local launcher=$!
  local i
  for i in $(seq 1 150); do
    if our_pid >/dev/null && answers; then
      STARTED=1
      say "started dockerd (pid $(our_pid), server $(docker info --format '{{.ServerVersion}}'), storage $(docker info --format '{{.Driver}}'), cgroup v$(docker info --format '{{.CgroupVersion}}'))"
      return 0
    fi
    if ! kill -0 "$launcher" 2>/dev/null && ! our_pid >/dev/null; then
      say "dockerd exited at start; last lines of $LOG:"; tail -n 8 "$LOG" >&2; exit 1
    fi
    sleep 0.2
  done
  die "dockerd did not answer within 30 s; see $LOG"
}

stop() {
  local pid
  if ! pid=$(our_pid); then
    rm -f "$PIDFILE"
    say "no engine started by this script is running; nothing to stop"
    return 0
  fi
  say "stopping dockerd $pid (started by this script)"
  $SUDO kill -TERM "$pid"
  local i
  for i in $(seq 1 300); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$PIDFILE"; say "stopped"; return 0; }
    sleep 0.1
  done
  say "dockerd $pid did not stop within 30 s; killing it"
  $SUDO kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PIDFILE"
}

status() {
  local pid
  if pid=$(our_pid); then
    echo "dockerd started by this script: pid $pid, $(answers && echo answering || echo 'NOT answering')"
  elif answers; then
    echo "an engine answers (server $(docker info --format '{{.ServerVersion}}')), not started by this script"
  else
    echo "no engine answers"
    return 1
  fi
}

# Two starts side by side (two make targets, two checkouts) take turns: the second finds the first's
# engine answering and uses it, instead of seeing a dockerd that does not answer yet and refusing.
STARTED=0
locked_start() {
  local lock=${TMPDIR:-/tmp}/backend-bottleneck-lab.docker-engine.lock
  exec 8>>"$lock"
  flock -w 600 8 || die "another start held $lock for 600 s"
  start
  flock -u 8
  exec 8>&-
}

case ${1:-} in
  start) locked_start ;;
  stop) stop ;;
  status) status ;;
  run)
    shift
    [[ ${1:-} == -- ]] && shift
    [[ $# -gt 0 ]] || die "usage: $0 run -- command args..."
    locked_start
    # Ctrl-C reaches the command (same process group); this script outlives it to stop the engine.
    trap 'say "interrupted; waiting for the command to end"' INT TERM
    rc=0
    "$@" || rc=$?
    # Only the engine this call started (one started beside it by another call is that call's).
    if [[ $STARTED == 1 ]]; then stop; fi
    exit "$rc"
    ;;
  *) die "usage: $0 start|stop|status|run -- command..." ;;
esac
