#!/usr/bin/env bash
# The one way the lab installs Debian packages. Every script and make target calls it.
#   scripts/apt-install.sh PACKAGE...
# - Idempotent: packages dpkg already has are skipped; nothing missing means no apt at all.
# - Safe side by side: the lab's installers take turns on one lock (flock), and apt itself waits for
#   any other apt or dpkg on the machine (DPkg::Lock::Timeout) instead of giving up.
# - Loud: a failed install, or a package still missing after it, ends with status 1 and says which.
#   (A parallel `apt-get install` that gave up on apt's lock once let a build go on without
#   debootstrap and fail minutes later; this is why.)
# APT_POLICY_RC_D=101: the packages' maintainer scripts may not start services (docker.io's engine
# is started by scripts/docker-engine.sh with this machine's flags, not by the install).
set -euo pipefail

[[ $# -gt 0 ]] || { echo "usage: scripts/apt-install.sh PACKAGE..." >&2; exit 2; }
say() { printf 'apt-install: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

installed() { dpkg-query -W -f='${Status}\n' "$1" 2>/dev/null | grep -q ' ok installed$'; }
missing() { local p; for p in "$@"; do installed "$p" || printf '%s\n' "$p"; done; }

mapfile -t need < <(missing "$@")
[[ ${#need[@]} -gt 0 ]] || exit 0

SUDO=
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || die "needs root to install Debian's ${need[*]} (no sudo here); install them, then run again"
  SUDO=sudo
fi

# Minutes to wait for another apt (the lab's own or anyone's) before failing.
WAIT_S=${APT_WAIT_S:-1200}
LOCK=${TMPDIR:-/tmp}/backend-bottleneck-lab.apt.lock
exec 9>>"$LOCK"
if ! flock -w "$WAIT_S" 9; then die "another lab install held $LOCK for ${WAIT_S} s; giving up on ${need[*]}"; fi
# Someone may have installed them while this one waited.
mapfile -t need < <(missing "${need[@]}")
[[ ${#need[@]} -gt 0 ]] || exit 0

APT=($SUDO env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout="$WAIT_S" -o Acquire::Retries=3)
policy=/usr/sbin/policy-rc.d created=0
if [[ ${APT_POLICY_RC_D:-} == 101 && ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" >/dev/null && $SUDO chmod +x "$policy" && created=1
fi
cleanup() { [[ $created == 1 ]] && $SUDO rm -f "$policy"; return 0; }
trap cleanup EXIT

say "installing Debian's ${need[*]}"
log=$(mktemp)
# The lists lock is not covered by DPkg::Lock::Timeout on every apt: a busy update is retried.
for try in 1 2 3; do
  if "${APT[@]}" update -qq >"$log" 2>&1; then break; fi
  [[ $try == 3 ]] && { tail -n 20 "$log" >&2; rm -f "$log"; die "apt-get update failed 3 times"; }
  sleep 10
done
if ! "${APT[@]}" install -y -qq --no-install-recommends "${need[@]}" >"$log" 2>&1; then
  tail -n 30 "$log" >&2; rm -f "$log"; die "apt-get install ${need[*]} failed"
fi
rm -f "$log"
mapfile -t still < <(missing "${need[@]}")
[[ ${#still[@]} -eq 0 ]] || die "still not installed after apt-get install: ${still[*]}"
say "installed ${need[*]}"
