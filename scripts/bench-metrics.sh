#!/usr/bin/env bash
# What metrics cost: /hello requests/s with metrics on and off, in the same run.
#   scripts/bench-metrics.sh              # 3 rounds x (off, on), 5 s each
#   SECONDS_PER_RUN=10 ROUNDS=5 scripts/bench-metrics.sh
# Method: the server runs alone on CPU 1 (taskset), wrk and statsd_exporter share CPU 0, so the
# server's CPU is the bottleneck and what metrics take from it shows as lost requests/s. Each
# round starts a fresh server per setting, warms it up 1 s, then measures; the order alternates
# between rounds so neither setting always runs second. Reported: each setting's median, and the
# median over rounds of on/off within a round (the two runs of a round are seconds apart, so they
# share whatever else the machine was doing). With metrics on, the server sends to a real
# statsd_exporter, whose request count is printed next to wrk's. Raw outputs: .data/bench-metrics/.
# On a machine shared with other work, requests/s swing with whatever else runs on either CPU; the
# server's own CPU time per request (from /proc, over the measured run) barely does, so it is
# printed too: its off/on ratio is the throughput ratio of a server with a CPU to itself.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.tools/bin:$PATH"

SECONDS_PER_RUN=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
CONNECTIONS=${CONNECTIONS:-32}
BENCH_PORT=${BENCH_PORT:-18090}
STATSD_UDP_PORT=${BENCH_STATSD_PORT:-19125}
EXPORTER_WEB_PORT=${BENCH_EXPORTER_PORT:-19102}
TARGET_RATIO=0.9
OUT=.data/bench-metrics
mkdir -p "$OUT"

if [[ $(nproc) -ge 2 ]]; then
  SERVER_CPU=(taskset -c 1)
  LOAD_CPU=(taskset -c 0)
else
  echo "bench-metrics: fewer than 2 CPUs; running unpinned, so wrk competes with the server" >&2
  SERVER_CPU=()
  LOAD_CPU=()
fi

exporter_pid='' server_pid=''
cleanup() {
  for pid in $server_pid $exporter_pid; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

run() { echo "+ $*" >&2; "$@"; }
# Background processes start without a wrapper function, so $! is the process itself and `kill`
# reaches it (taskset execs its command).
show() { echo "+ $*" >&2; }

wait_http() { # url
  for _ in $(seq 100); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "bench-metrics: $1 did not answer in 10 s" >&2
  return 1
}

exporter=("${LOAD_CPU[@]}" statsd_exporter --statsd.mapping-config=statsd.conf
  --web.listen-address=127.0.0.1:$EXPORTER_WEB_PORT --statsd.listen-udp=127.0.0.1:$STATSD_UDP_PORT
  --statsd.listen-tcp= --log.level=warn)
show "${exporter[@]}"
"${exporter[@]}" &
exporter_pid=$!
wait_http "http://127.0.0.1:$EXPORTER_WEB_PORT/metrics"

exporter_hello_count() { # what the pipeline counted: /hello requests answered 200
  curl -fsS "http://127.0.0.1:$EXPORTER_WEB_PORT/metrics" |
    awk '/^http_requests_total\{/ && /route="\/hello"/ && /status="200"/ { n += $2 } END { printf "%d", n }'
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime + stime of a process

# One measured run; sets RPS and CPU_US (server CPU microseconds per request). Not run in $(...):
# the server must be this shell's child for cleanup.
measure() { # on|off round
  local setting=$1 round=$2 metrics=0 log
  [[ $setting == on ]] && metrics=1
  log="$OUT/$setting-$round"
  show "METRICS=$metrics STATSD_HOST=127.0.0.1 STATSD_PORT=$STATSD_UDP_PORT HOST=127.0.0.1 PORT=$BENCH_PORT ${SERVER_CPU[*]} node dist/server/main.js"
  METRICS=$metrics STATSD_HOST=127.0.0.1 STATSD_PORT=$STATSD_UDP_PORT PORT=$BENCH_PORT HOST=127.0.0.1 \
    "${SERVER_CPU[@]}" node dist/server/main.js >"$log.server.log" 2>&1 &
  server_pid=$!
  wait_http "http://127.0.0.1:$BENCH_PORT/hello"
  "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d1s "http://127.0.0.1:$BENCH_PORT/hello" >"$log.warmup.txt"
  local ticks0 ticks1
  ticks0=$(cpu_ticks "$server_pid")
  run "${LOAD_CPU[@]}" wrk -t1 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" "http://127.0.0.1:$BENCH_PORT/hello" >"$log.wrk.txt"
  ticks1=$(cpu_ticks "$server_pid")
  kill "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=''

  RPS=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$log.wrk.txt")
  CPU_US=$(awk -v t=$((ticks1 - ticks0)) -v hz="$(getconf CLK_TCK)" '/ requests in / { printf "%.2f", t / hz * 1e6 / $1 }' "$log.wrk.txt")
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

echo "bench-metrics: GET /hello, wrk -t1 -c$CONNECTIONS, ${SECONDS_PER_RUN}s x $ROUNDS rounds per setting; server on CPU 1, wrk + statsd_exporter on CPU 0"
counted_before=$(exporter_hello_count)
off=() on=() off_cpu=() on_cpu=() ratios=() cpu_ratios=()
for round in $(seq "$ROUNDS"); do
  if (( round % 2 )); then order=(off on); else order=(on off); fi
  for setting in "${order[@]}"; do
    measure "$setting" "$round"
    printf '  round %d  metrics %-3s  %8d req/s  %6.2f us server CPU/request\n' "$round" "$setting" "$RPS" "$CPU_US"
    if [[ $setting == on ]]; then on+=("$RPS") on_cpu+=("$CPU_US"); else off+=("$RPS") off_cpu+=("$CPU_US"); fi
  done
  i=$((round - 1))
  ratios+=("$(awk -v a="${on[$i]}" -v b="${off[$i]}" 'BEGIN { printf "%.3f", a / b }')")
  cpu_ratios+=("$(awk -v a="${on_cpu[$i]}" -v b="${off_cpu[$i]}" 'BEGIN { printf "%.3f", b / a }')")
done
counted=$(( $(exporter_hello_count) - counted_before ))
# wait_http's probe, warm-up and measured requests of the runs with metrics on.
sent=$(cat "$OUT"/on-*.wrk.txt "$OUT"/on-*.warmup.txt | awk -v runs="$ROUNDS" '/ requests in / { n += $1 } END { printf "%d", n + runs }')

off_median=$(printf '%s\n' "${off[@]}" | median)
on_median=$(printf '%s\n' "${on[@]}" | median)
ratio=$(printf '%s\n' "${ratios[@]}" | median)
verdict=$(awk -v r="$ratio" -v t="$TARGET_RATIO" 'BEGIN { print (r >= t) ? "meets" : "BELOW" }')
off_cpu_median=$(printf '%s\n' "${off_cpu[@]}" | median)
on_cpu_median=$(printf '%s\n' "${on_cpu[@]}" | median)
cpu_ratio=$(printf '%s\n' "${cpu_ratios[@]}" | median)
echo
echo "metrics off: $off_median req/s (median of ${off[*]})"
echo "metrics on:  $on_median req/s (median of ${on[*]})"
echo "ratio on/off: $ratio, median of the rounds' ${ratios[*]} ($verdict the target $TARGET_RATIO)"
echo "server CPU per request: off $off_cpu_median us, on $on_cpu_median us (medians); off/on per round ${cpu_ratios[*]}, median $cpu_ratio"
echo "pipeline check: statsd_exporter counted $counted /hello requests with metrics on; wrk completed $sent (it does not count answers still in flight when it stops)"
