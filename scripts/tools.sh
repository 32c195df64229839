#!/usr/bin/env bash
# Installs the lab's external tools, idempotently, and prints their versions.
#   scripts/tools.sh                 # all of them
#   scripts/tools.sh vegeta oha      # just these
# Go programs are built by `go install` and Rust programs by `cargo install`, at pinned versions,
# into .tools/bin/; a version stamp beside each binary skips the build when it is already there
# (oha takes a few minutes of CPU the first time only). The rest come from Debian's packages.
# Permissive licences only: vegeta (MIT), oha (MIT), statsd_exporter (Apache-2.0), h2load (nghttp2, MIT).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="$PWD/.tools/bin"
mkdir -p "$BIN"

# Pinned versions: change them here only.
VEGETA_MOD=github.com/tsenart/vegeta/v12@v12.13.0
STATSD_EXPORTER_MOD=github.com/prometheus/statsd_exporter@v0.31.0
# The /hello open-model generator of make compare (default features: 1.16 does not build without TLS).
OHA_CRATE=oha@1.16.0

go_tool() { # name module@version
  local name=$1 mod=$2 want=${2##*@} stamp="$BIN/.$1.version"
  if [[ -x "$BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  command -v go >/dev/null || { echo "tools: Go is needed to build $name ($mod)" >&2; exit 1; }
  echo "tools: go install $mod (into .tools/bin)"
  GOBIN="$BIN" GOFLAGS=-mod=mod go install "$mod"
  echo "$want" >"$stamp"
}

cargo_tool() { # name crate@version [cargo install flags...]
  local name=$1 crate=${2%@*} want=${2##*@} stamp="$BIN/.$1.version"
  shift 2
  if [[ -x "$BIN/$name" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return 0; fi
  command -v cargo >/dev/null || { echo "tools: cargo is needed to build $name ($crate $want)" >&2; exit 1; }
  # One build cache per user, outside the clone: a second clone (or a deleted .tools/) links the
  # compiled binary in seconds instead of compiling the crate and its C dependencies again.
  local cache="${XDG_CACHE_HOME:-$HOME/.cache}/backend-bottleneck-lab/cargo-target"
  echo "tools: cargo install --locked $crate --version $want${*:+ $*} (into .tools/bin; a few minutes the first time)"
  cargo install --quiet --locked "$crate" --version "$want" --root "$PWD/.tools" --target-dir "$cache" "$@"
  echo "$want" >"$stamp"
}

apt_pkg() { # command package...
  local cmd=$1; shift
  command -v "$cmd" >/dev/null && return 0
  scripts/apt-install.sh "$@"
  command -v "$cmd" >/dev/null || { echo "tools: $cmd still missing after installing Debian's $*" >&2; exit 1; }
}

version_of() {
  case $1 in
    # go install builds carry no version stamp in vegeta's -version: print the pinned one.
    vegeta) echo "vegeta $(cat "$BIN/.vegeta.version") ($("$BIN/vegeta" -version 2>&1 | sed -n 's/^Runtime: //p'))" ;;
    oha) "$BIN/oha" --version 2>&1 | head -1 ;;
    h2load) h2load --version 2>&1 | head -1 ;;
    statsd_exporter) echo "statsd_exporter $(cat "$BIN/.statsd_exporter.version")" ;;
    prometheus) prometheus --version 2>&1 | head -1 ;;
    wrk) wrk -v 2>&1 | head -1 ;;
    # Debian's wrapper script trips over its own memory check in some shells; ask dpkg instead.
    chromium) dpkg-query -W -f='chromium ${Version}\n' chromium 2>/dev/null ;;
  esac
}

tools=("$@")
[[ ${#tools[@]} -gt 0 ]] || tools=(vegeta h2load oha statsd_exporter prometheus wrk chromium)
for t in "${tools[@]}"; do
  case $t in
    vegeta) go_tool vegeta "$VEGETA_MOD" ;;
    oha) cargo_tool oha "$OHA_CRATE" ;;
    statsd_exporter) go_tool statsd_exporter "$STATSD_EXPORTER_MOD" ;;
    prometheus) apt_pkg prometheus prometheus ;;
    wrk) apt_pkg wrk wrk ;;
    chromium) apt_pkg chromium chromium ;;
    # Not used by any target: for measuring generators against each other (README, load generators).
    h2load) apt_pkg h2load nghttp2-client ;;
    *) echo "tools: unknown tool '$t' (known: vegeta oha statsd_exporter prometheus wrk chromium h2load)" >&2; exit 2 ;;
  esac
  printf '  %-16s %s\n' "$t" "$(version_of "$t")"
done
