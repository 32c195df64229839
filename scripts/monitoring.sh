#!/usr/bin/env bash
# The metrics pipeline as local processes: server --StatsD/UDP--> statsd_exporter --scrape--> Prometheus.
#   scripts/monitoring.sh start    # installs what is missing, starts both, waits until they answer
#   scripts/monitoring.sh stop     # stops exactly the processes `start` started (pid files)
#   scripts/monitoring.sh status
# statsd_exporter: StatsD on 127.0.0.1:9125 (UDP), metrics on http://127.0.0.1:9102/metrics, mapping
# statsd.conf. Prometheus: http://127.0.0.1:9090, config prom.yml. Pid files, logs and the TSDB live
# in .data/monitoring/ (ignored by git). The server sends to 127.0.0.1:9125 by default.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"

DATA=.data/monitoring
EXPORTER_WEB=127.0.0.1:9102
EXPORTER_UDP=127.0.0.1:9125
PROMETHEUS_WEB=127.0.0.1:9090

# name -> the URL that answers once it is up
declare -A READY_URL=(
  [statsd_exporter]="http://$EXPORTER_WEB/metrics"
  [prometheus]="http://$PROMETHEUS_WEB/-/ready"
)

command_of() { # name: the exact command line
  case $1 in
    statsd_exporter)
      echo statsd_exporter --statsd.mapping-config=statsd.conf --web.listen-address=$EXPORTER_WEB \
        --statsd.listen-udp=$EXPORTER_UDP --statsd.listen-tcp=$EXPORTER_UDP ;;
    prometheus)
      echo prometheus --config.file=prom.yml --storage.tsdb.path=$DATA/prometheus \
        --web.listen-address=$PROMETHEUS_WEB ;;
  esac
}

# The pid in the pid file, if that process is still the one we started: a pid can be reused by an
# unrelated process after ours died, and that one must never be signalled.
running_pid() { # name
  local file="$DATA/$1.pid" pid
  [[ -f $file ]] || return 1
  pid=$(cat "$file")
  [[ -r /proc/$pid/cmdline ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "^\S*$1 " || return 1
  echo "$pid"
}

# Another statsd_exporter or Prometheus on these ports would answer our readiness checks and take
# our metrics: refuse to start next to it.
port_owner() { # tcp|udp host:port -> prints who listens there, fails when nobody does
  local flag=-ltnp
  [[ $1 == udp ]] && flag=-lunp
  ss -H "$flag" "sport = :${2##*:}" 2>/dev/null | grep -q . || return 1
  ss -H "$flag" "sport = :${2##*:}" 2>/dev/null | grep -o 'users:(([^)]*))' | head -1 || true
  echo "(something)"
}

check_ports_free() { # name
  local owner
  case $1 in
    statsd_exporter) set -- "tcp $EXPORTER_WEB" "udp $EXPORTER_UDP" "tcp $EXPORTER_UDP" ;;
    prometheus) set -- "tcp $PROMETHEUS_WEB" ;;
  esac
  for port in "$@"; do
    if owner=$(port_owner $port); then
      echo "monitoring: ${port#* } (${port%% *}) is already taken by $(echo "$owner" | head -1); not started by this script, so not stopped by it either. Stop it first." >&2
      return 1
    fi
  done
}

wait_ready() { # name pid
  for _ in $(seq 150); do
    curl -fsS -o /dev/null "${READY_URL[$1]}" 2>/dev/null && return 0
    if ! kill -0 "$2" 2>/dev/null; then
      echo "monitoring: $1 exited at start; last lines of $DATA/$1.log:" >&2
      tail -n 5 "$DATA/$1.log" >&2
      return 1
    fi
    sleep 0.2
  done
  echo "monitoring: $1 did not answer ${READY_URL[$1]} within 30 s; see $DATA/$1.log" >&2
  return 1
}

start_one() { # name
  local name=$1 pid cmd
  if pid=$(running_pid "$name"); then
    echo "monitoring: $name already running (pid $pid)"
    return 0
  fi
  check_ports_free "$name"
  cmd=$(command_of "$name")
  echo "+ $cmd"
  # nohup: the processes outlive the shell (and make) that started them.
  nohup $cmd >"$DATA/$name.log" 2>&1 &
  pid=$!
  echo "$pid" >"$DATA/$name.pid"
  wait_ready "$name" "$pid" && kill -0 "$pid" 2>/dev/null || { rm -f "$DATA/$name.pid"; return 1; }
  echo "monitoring: $name up (pid $pid)"
}

stop_one() { # name
  local name=$1 pid
  if ! pid=$(running_pid "$name"); then
    rm -f "$DATA/$name.pid"
    echo "monitoring: $name not running"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "monitoring: $name (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL" >&2
    kill -KILL "$pid"
  fi
  rm -f "$DATA/$name.pid"
  echo "monitoring: $name stopped (pid $pid)"
}

case ${1:-} in
  start)
    scripts/tools.sh statsd_exporter prometheus
    mkdir -p "$DATA/prometheus"
    start_one statsd_exporter
    start_one prometheus
    echo "monitoring: StatsD in on $EXPORTER_UDP (the server's default), exporter at http://$EXPORTER_WEB/metrics, Prometheus at http://$PROMETHEUS_WEB/graph"
    ;;
  stop)
    # Reverse order: Prometheus would otherwise record a failed scrape of the exporter.
    stop_one prometheus
    stop_one statsd_exporter
    ;;
  status)
    for name in statsd_exporter prometheus; do
      if pid=$(running_pid "$name"); then echo "$name: running (pid $pid)"; else echo "$name: stopped"; fi
    done
    ;;
  *)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac
