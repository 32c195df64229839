# Shared by the vegeta scripts: the target address, rendering targets, and one attack kept whole
# (raw results first, every report made from them). Sourced, not run.

# The target, the workload defaults and the engine names come from TypeScript
# (loadtests/vegeta/checks.ts over lab/, built by `make build-ts`), which keeps the one loopback
# guard: only this machine's loopback unless ALLOW_REMOTE=1, since a load generator aimed at the
# wrong host is an attack on someone else. It prints NAME=value lines, set here without eval.
CHECKS=dist/loadtests/vegeta/checks.js
[[ -f $CHECKS ]] || { echo "$CHECKS not built: run \`make build-ts\`" >&2; exit 2; }
lab_values=$(node "$CHECKS" values) || exit 2
while IFS='=' read -r k v; do printf -v "$k" '%s' "$v"; done <<<"$lab_values"
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
check_report() { node "$CHECKS" report "$1/report.json"; }
