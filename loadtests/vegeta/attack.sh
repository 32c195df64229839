#!/usr/bin/env bash
# vegeta attacks on a running service (start it with `make run-constrained`), raw results kept:
#   loadtests/vegeta/attack.sh hello     # the seed's attack: GET /hello, 1500 req/s for 30 s
#   loadtests/vegeta/attack.sh heavy     # /heavy/cpu-io-no-db/ once per engine in IMPLS
#   RATE=500 DURATION=5s MIN_SUCCESS=1 loadtests/vegeta/attack.sh hello
# Environment: BASE_URL (else http://HOST:PORT), RATE, DURATION, OUT (results folder, default
# reports/vegeta/<time>); for heavy also IMPLS, MODE, PRIME_LIMIT, HASH_ROUNDS, IO_KB.
# MIN_SUCCESS (a ratio) and MAX_P99_MS, when set, make the exit status a verdict.
# Each attack leaves targets.txt, results.bin, report.txt, report.json, hist.txt, plot.html and the
# run-constrained state (which limits were in force) in its own folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
here=loadtests/vegeta
source "$here/common.sh"

what=${1:-}
OUT=${OUT:-reports/vegeta/$(date -u +%Y%m%dT%H%M%SZ)}
STATE_FILE=${STATE_FILE:-.data/constrained.json}

provenance() { # dir
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
    echo "target: $BASE_URL"
    echo "vegeta: $("$VEGETA" -version 2>&1 | head -1)"
  } >"$1/meta.txt"
  if [[ -f $STATE_FILE ]]; then cp "$STATE_FILE" "$1/constrained.json"; else echo "limits: unknown (no $STATE_FILE: not started by run-constrained)" >>"$1/meta.txt"; fi
}

case $what in
  hello)
    RATE=${RATE:-1500} DURATION=${DURATION:-30s}
    dir=$OUT/hello-$RATE
    attack "$dir" "$here/hello.targets" "$RATE" "$DURATION"
    provenance "$dir"
    check_report "$dir"
    ;;
  heavy)
    RATE=${RATE:-2} DURATION=${DURATION:-20s}
    IMPLS=${IMPLS:-$LAB_ENGINES}
    MODE=${MODE:-inline} PRIME_LIMIT=${PRIME_LIMIT:-$LAB_PRIME_LIMIT} HASH_ROUNDS=${HASH_ROUNDS:-$LAB_HASH_ROUNDS} IO_KB=${IO_KB:-$LAB_IO_KB}
    export MODE PRIME_LIMIT HASH_ROUNDS IO_KB
    status=0 answered=0
    for IMPL in $IMPLS; do
      export IMPL
      # Primer: the engine must be up and give the known answers (fixtures/vectors.json: primes_found
      # and the digest) before any load, or the numbers would time a wrong answer.
      url=$(render_targets "$here/heavy.targets"); url=${url#GET }
      rc=0; primed=$(node "$CHECKS" primer "$url" 2>&1) || rc=$?
      case $rc in
        0) ;;
        1) echo "== $IMPL: skipped, the primer request failed: $primed"; continue ;;
        *) echo "== $IMPL ($MODE): $primed; not attacking" >&2; answered=1 status=1; continue ;;
      esac
      answered=1
      echo "== $IMPL ($MODE): primer ok, $primed"
      dir=$OUT/heavy-$IMPL-$MODE-$RATE
      attack "$dir" "$here/heavy.targets" "$RATE" "$DURATION"
      provenance "$dir"
      check_report "$dir" || status=1
    done
    ((answered)) || { echo "no engine answered the primer" >&2; exit 1; }
    exit $status
    ;;
  *)
    echo "usage: $0 hello|heavy   (see the header of this script for the environment)" >&2
    exit 2
    ;;
esac
