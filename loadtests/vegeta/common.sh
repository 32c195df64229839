# Shared by the vegeta scripts: the target address, the loopback guard, rendering targets, and one
# attack kept whole (raw results first, every report made from them). Sourced, not run.

# The target, the workload defaults and the engine names come from the lab module (lab/cli.ts, built
# by `make build-ts`), which keeps the one loopback guard: only this machine's loopback unless
# ALLOW_REMOTE=1, since a load generator aimed at the wrong host is an attack on someone else.
[[ -f dist/lab/cli.js ]] || { echo "dist/lab/cli.js not built: run \`make build-ts\`" >&2; exit 2; }
if [[ -n ${BASE_URL:-} ]]; then
  # A BASE_URL given whole passes the same guard through its host.
  host=${BASE_URL#*://}; host=${host%%/*}; [[ $host == \[* ]] && host=${host%%]*}] || host=${host%:*}
  HOST=$host node dist/lab/cli.js get host >/dev/null || exit 2
fi
lab_values=$(node dist/lab/cli.js shell) || exit 2
eval "$lab_values"
BASE_URL=${BASE_URL:-$LAB_BASE_URL}
BASE_URL=${BASE_URL%/}
# `make tools` installs into .tools/bin; it comes first, as in the Makefile.
PATH=$PWD/.tools/bin:$PATH
VEGETA=${VEGETA:-vegeta}
command -v "$VEGETA" >/dev/null || { echo "vegeta not found: run \`make tools\` (it installs into .tools/bin)" >&2; exit 2; }

# Replaces ${NAME} in a targets file with the variable's value.
render_targets() { # file
  local line name
  while IFS= read -r line || [[ -n $line ]]; do
    while [[ $line =~ \$\{([A-Z_]+)\} ]]; do
      name=${BASH_REMATCH[1]}
      line=${line//\$\{$name\}/${!name}}
    done
    printf '%s\n' "$line"
  done <"$1"
}

# json_field file expression: evaluates a JS expression over the parsed JSON `r` (vegeta's
# `report -type=json`): node is here already, jq may not be.
json_field() { node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); console.log(eval(process.argv[2]))' "$1" "$2"; }

# attack dir targets-file rate duration: runs one attack into dir/ and prints its report.
# dir/ gets targets.txt, results.bin (raw), report.txt, report.json, hist.txt, plot.html.
attack() {
  local dir=$1 targets=$2 rate=$3 duration=$4
  mkdir -p "$dir"
  render_targets "$targets" >"$dir/targets.txt"
  echo "+ $VEGETA attack -targets=$dir/targets.txt -rate=$rate -duration=$duration -timeout=${TIMEOUT:-30s} | tee $dir/results.bin | $VEGETA report"
  "$VEGETA" attack -targets="$dir/targets.txt" -rate="$rate" -duration="$duration" -timeout="${TIMEOUT:-30s}" |
    tee "$dir/results.bin" | "$VEGETA" report | tee "$dir/report.txt"
  "$VEGETA" report -type=json "$dir/results.bin" >"$dir/report.json"
  "$VEGETA" report -type='hist[0,500us,1ms,2ms,5ms,10ms,50ms,100ms,500ms,1s,5s]' "$dir/results.bin" >"$dir/hist.txt"
  "$VEGETA" plot -title="$(basename "$dir") at $rate/s" "$dir/results.bin" >"$dir/plot.html"
}

# check_report dir: exit status 1 when the report misses MIN_SUCCESS (a ratio, e.g. 1) or
# MAX_P99_MS, each checked only when set.
check_report() {
  local dir=$1 ok=0 success p99
  success=$(json_field "$dir/report.json" 'r.success')
  p99=$(json_field "$dir/report.json" '(r.latencies["99th"] / 1e6).toFixed(3)')
  if [[ -n ${MIN_SUCCESS:-} ]] && awk -v s="$success" -v m="$MIN_SUCCESS" 'BEGIN { exit !(s < m) }'; then
    echo "FAIL: success ratio $success < $MIN_SUCCESS" >&2; ok=1
  fi
  if [[ -n ${MAX_P99_MS:-} ]] && awk -v p="$p99" -v m="$MAX_P99_MS" 'BEGIN { exit !(p >= m) }'; then
    echo "FAIL: p99 ${p99} ms >= $MAX_P99_MS ms" >&2; ok=1
  fi
  return $ok
}
