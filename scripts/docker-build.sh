#!/usr/bin/env bash
# Builds the lab's image (Dockerfile) and prints its size and build time.
#   scripts/docker-build.sh                  # tag IMAGE (default backend-bottleneck-lab)
#   DOCKER_BASE=official scripts/docker-build.sh
# DOCKER_BASE=local (default): the base images are the registry-free stand-ins of
# scripts/docker-images.sh (built once, then found by tag); official: the Dockerfile's own defaults
# (node:24-trixie-slim, rust:1.95-bookworm, debian:trixie-slim), pulled from Docker Hub.
# Needs an engine that answers: scripts/docker-engine.sh start (make docker-build does it).
set -euo pipefail
cd "$(dirname "$0")/.."

IMAGE=${IMAGE:-backend-bottleneck-lab}
DOCKER_BASE=${DOCKER_BASE:-local}
say() { printf 'docker-build: %s\n' "$*" >&2; }

args=()
case $DOCKER_BASE in
  local) read -r -a args < <(scripts/docker-images.sh | tail -n 1) ;;
  official) ;;
  *) say "DOCKER_BASE must be local or official (got '$DOCKER_BASE')"; exit 2 ;;
esac

t0=$(date +%s.%N)
# --network host: the engine may run with --bridge=none (scripts/docker-engine.sh), and the build
# stage reaches the npm registry and crates.io.
log=$(mktemp)
if ! docker build --network host "${args[@]}" -t "$IMAGE" . >"$log" 2>&1; then
  tail -n 40 "$log" >&2; rm -f "$log"; say "docker build failed"; exit 1
fi
rm -f "$log"
secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.0f", b - a }')
bytes=$(docker image inspect -f '{{.Size}}' "$IMAGE")
# The classic builder leaves each build's stages untagged (the build stage is ~2.5 GB): tag this
# build's stages (all cached, a second each) so the cache survives, then drop the untagged rest.
for stage in build deps; do
  docker build --network host "${args[@]}" --target "$stage" -t "$IMAGE-cache:$stage" . >/dev/null 2>&1 || true
done
docker image prune -f >/dev/null 2>&1 || true
say "$IMAGE built in $secs s ($DOCKER_BASE base images); size $(awk -v b="$bytes" 'BEGIN { printf "%.0f MB (%d bytes)", b / 1e6, b }')"
