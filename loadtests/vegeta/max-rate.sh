#!/usr/bin/env bash
# Bounded search for the highest rate on GET /hello that the running service sustains with every
# request answered 200, p99 under MAX_P99_MS and the throughput keeping up with the rate:
# doubling from START until a step fails (or MAX_RATE), then bisecting between the last pass and
# the first failure down to RESOLUTION (a fraction), at most MAX_STEPS measured steps in all.
#   loadtests/vegeta/max-rate.sh
#   START=2000 STEP=10s MAX_P99_MS=10 MAX_RATE=40000 loadtests/vegeta/max-rate.sh
# Every step keeps its own results.bin and reports under OUT; summary.txt lists them.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=loadtests/vegeta
source "$here/common.sh"

START=${START:-2000} STEP=${STEP:-10s} MAX_P99_MS=${MAX_P99_MS:-10} MAX_RATE=${MAX_RATE:-40000}
MAX_STEPS=${MAX_STEPS:-12} RESOLUTION=${RESOLUTION:-0.05} PAUSE=${PAUSE:-3}
OUT=${OUT:-reports/vegeta/max-rate-$(date -u +%Y%m%dT%H%M%SZ)}
STATE_FILE=${STATE_FILE:-.data/constrained.json}
mkdir -p "$OUT"
[[ -f $STATE_FILE ]] && cp "$STATE_FILE" "$OUT/constrained.json"
summary=$OUT/summary.txt
{
  echo "# max sustained rate on $BASE_URL/hello: 100% success, p99 < ${MAX_P99_MS} ms, throughput >= 99% of rate"
  echo "# $STEP per step, ${PAUSE}s pause between steps; $(date -u +%Y-%m-%dT%H:%M:%SZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "# service_cpu: the service's CPU time per wall second (100% = one CPU); machine_busy: all $(nproc) CPUs"
  printf '%-8s %-8s %-8s %-11s %-9s %-9s %-10s %-12s %s\n' rate verdict success throughput p99_ms max_ms throttled service_cpu machine_busy
} >"$summary"

# Warm-up, not measured: the JIT and the connection pool, so step one measures the same server
# as the later steps.
echo "warm-up: 5s at $((START / 2))/s"
mkdir -p "$OUT/warm-up"
render_targets "$here/hello.targets" >"$OUT/warm-up/targets.txt"
"$VEGETA" attack -targets="$OUT/warm-up/targets.txt" -rate=$((START / 2)) -duration=5s >/dev/null
sleep "$PAUSE"

# The service's cgroup cpu.stat, from run-constrained's state: a step in which the service was
# throttled hit its CPU cap; one that fails unthrottled points at something else (the load
# generator shares this machine).
cpu_stat=""
if [[ -f $STATE_FILE ]]; then
  cpu_stat=$(json_field "$STATE_FILE" 'r.status === "running" && r.cgroup ? r.cgroup.cpu_stat : ""')
fi
# And the service's own CPU time (utime + stime of its pid) beside the whole machine's busy share:
# a service near 100% of one CPU is the bottleneck; a busy machine with the service well below
# that means the load generator (or a neighbour) is.
pid=""
if [[ -f $STATE_FILE ]]; then pid=$(json_field "$STATE_FILE" 'r.status === "running" && r.pid ? r.pid : ""'); fi
proc_ticks() { if [[ -n $pid && -r /proc/$pid/stat ]]; then sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }'; else echo 0; fi; }
machine_ticks() { awk '$1 == "cpu" { t = 0; for (i = 2; i <= NF; i++) t += $i; print t, $5 + $6 }' /proc/stat; }
HZ=$(getconf CLK_TCK)
throttled() { if [[ -r $cpu_stat ]]; then awk '$1 == "nr_periods" { p = $2 } $1 == "nr_throttled" { t = $2 } END { print p, t }' "$cpu_stat"; else echo "0 0"; fi; }

steps=0
measure() { # rate -> 0 when it passes
  local rate=$1 dir=$OUT/step-$1 verdict=pass
  steps=$((steps + 1))
  local p0 t0 p1 t1 s0 s1 m0 i0 m1 i1 w0 w1
  read -r p0 t0 < <(throttled)
  s0=$(proc_ticks); read -r m0 i0 < <(machine_ticks); w0=$(date +%s.%N)
  attack "$dir" "$here/hello.targets" "$rate" "$STEP" >/dev/null
  s1=$(proc_ticks); read -r m1 i1 < <(machine_ticks); w1=$(date +%s.%N)
  read -r p1 t1 < <(throttled)
  local svc=n/a busy
  [[ -n $pid ]] && svc=$(awk -v d=$((s1 - s0)) -v hz="$HZ" -v w0="$w0" -v w1="$w1" 'BEGIN { printf "%.0f%%", 100 * d / hz / (w1 - w0) }')
  busy=$(awk -v t=$((m1 - m0)) -v i=$((i1 - i0)) 'BEGIN { printf "%.0f%%", (t > 0 ? 100 * (t - i) / t : 0) }')
  local thr=n/a
  if [[ -r $cpu_stat ]] && ((p1 > p0)); then thr="$(((t1 - t0) * 100 / (p1 - p0)))%"; fi
  local success throughput p99 max
  success=$(json_field "$dir/report.json" 'r.success')
  throughput=$(json_field "$dir/report.json" 'r.throughput.toFixed(1)')
  p99=$(json_field "$dir/report.json" '(r.latencies["99th"] / 1e6).toFixed(3)')
  max=$(json_field "$dir/report.json" '(r.latencies.max / 1e6).toFixed(3)')
  if ! awk -v s="$success" -v t="$throughput" -v r="$rate" -v p="$p99" -v m="$MAX_P99_MS" \
      'BEGIN { exit !(s >= 1 && t >= 0.99 * r && p < m) }'; then verdict=fail; fi
  printf '%-8s %-8s %-8s %-11s %-9s %-9s %-10s %-12s %s\n' "$rate" "$verdict" "$success" "$throughput" "$p99" "$max" "$thr" "$svc" "$busy" | tee -a "$summary"
  sleep "$PAUSE"
  [[ $verdict == pass ]]
}

lo=0 hi=0 rate=$START
while ((steps < MAX_STEPS)); do
  if measure "$rate"; then
    lo=$rate
    ((rate >= MAX_RATE)) && break
    rate=$((rate * 2 > MAX_RATE ? MAX_RATE : rate * 2))
  else
    hi=$rate; break
  fi
done
if ((hi > 0)); then
  while ((steps < MAX_STEPS)) && awk -v lo="$lo" -v hi="$hi" -v r="$RESOLUTION" 'BEGIN { exit !(hi - lo > r * (lo > 0 ? lo : hi)) }'; do
    mid=$(((lo + hi) / 2))
    if measure "$mid"; then lo=$mid; else hi=$mid; fi
  done
fi
{
  if ((lo == 0)); then
    echo "result: no rate passed (the lowest tried, $START/s, failed)"
  elif ((hi == 0)); then
    echo "result: $lo req/s passed, the search cap (MAX_RATE=$MAX_RATE or MAX_STEPS=$MAX_STEPS) was reached before any failure"
  else
    echo "result: $lo req/s sustained; $hi req/s failed ($steps steps)"
  fi
} | tee -a "$summary"
if ((lo > 0)); then
  echo "report of the $lo req/s step ($OUT/step-$lo):"
  cat "$OUT/step-$lo/report.txt"
fi
