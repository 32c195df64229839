#!/usr/bin/env bash
# The compose stack (docker-compose.yml) on this machine's engine, with the images it needs made
# locally when DOCKER_BASE=local (the default; see scripts/docker-images.sh).
#   scripts/compose.sh up      # service + statsd_exporter + Prometheus; waits until all answer
#   scripts/compose.sh down
#   scripts/compose.sh test    # a fresh stack on its own ports, the metrics e2e against it, then down
# Needs an engine that answers (scripts/docker-engine.sh; `make compose-up` starts one).
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=${COMPOSE_PROJECT_NAME:-backend-bottleneck-lab}
DOCKER_BASE=${DOCKER_BASE:-local}
IMAGE=${LAB_IMAGE:-backend-bottleneck-lab}
say() { printf 'compose: %s\n' "$*" >&2; }

if docker compose version >/dev/null 2>&1; then
  COMPOSE=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  COMPOSE=(docker-compose)
else
  scripts/apt-install.sh docker-compose
  COMPOSE=(docker-compose)
fi
FILES=(-f docker-compose.yml)

images() {
  if [[ $DOCKER_BASE == local ]]; then
    local line
    line=$(scripts/docker-images.sh --monitoring | tail -n 1)
    export ${line?}
  fi
  docker image inspect "$IMAGE" >/dev/null 2>&1 || IMAGE=$IMAGE scripts/docker-build.sh
}

# A service is up when it says so in its log: a request would be counted in the metrics that
# `test` asserts exactly (and the published port accepts connections before the server listens).
logged() { "${COMPOSE[@]}" -p "$PROJECT" "${FILES[@]}" logs "$1" 2>/dev/null | grep -q 'listening on http://'; }
wait_logged() { # service
  local i
  for i in $(seq 1 150); do logged "$1" && return 0; sleep 0.2; done
  say "$1 did not start listening within 30 s"; return 1
}

wait_up() { # lab-port exporter-port prometheus-port
  local i
  for i in $(seq 1 150); do
    if logged lab && curl -fsS -o /dev/null "http://127.0.0.1:$2/metrics" && curl -fsS -o /dev/null "http://127.0.0.1:$3/-/ready"; then
      return 0
    fi
    sleep 0.2
  done
  say "the stack did not answer within 30 s:"
  "${COMPOSE[@]}" -p "$PROJECT" "${FILES[@]}" ps >&2 || true
  "${COMPOSE[@]}" -p "$PROJECT" "${FILES[@]}" logs --tail 20 >&2 || true
  return 1
}

up() {
  images
  say "${COMPOSE[*]} up: $IMAGE, ${STATSD_EXPORTER_IMAGE:-prom/statsd-exporter}, ${PROMETHEUS_IMAGE:-prom/prometheus}"
  LAB_IMAGE=$IMAGE "${COMPOSE[@]}" -p "$PROJECT" "${FILES[@]}" up -d --no-build --force-recreate >&2
  wait_up "${LAB_PORT:-8000}" "${EXPORTER_PORT:-9102}" "${PROMETHEUS_PORT:-9090}"
  say "up: service http://127.0.0.1:${LAB_PORT:-8000}, statsd_exporter http://127.0.0.1:${EXPORTER_PORT:-9102}/metrics, Prometheus http://127.0.0.1:${PROMETHEUS_PORT:-9090}"
}

down() {
  "${COMPOSE[@]}" -p "$PROJECT" "${FILES[@]}" down --remove-orphans >&2
}

case ${1:-} in
  up) up ;;
  down) down ;;
  test)
    # Its own project, ports and settings: the metrics e2e's server settings (one compute slot, no
    # queue, fast flushes), a second service container (instance lab-b) sending to the same exporter,
    # and no HEALTHCHECK, whose probes would add /heavy/health/ requests to the exact counts the test
    # asserts (the image's health check is tested by loadtests/docker.e2e.ts).
    PROJECT=lab-compose-test
    export LAB_PORT=${LAB_PORT:-24180} EXPORTER_PORT=${EXPORTER_PORT:-24102} PROMETHEUS_PORT=${PROMETHEUS_PORT:-24190}
    LAB_B_PORT=${LAB_B_PORT:-24181}
    override=$(mktemp --suffix=.yml)
    cat >"$override" <<EOF
x-e2e-env: &e2e
  POOL_SIZE: "1"
  QUEUE_MAX: "0"
  METRICS_FLUSH_MS: "100"
  STATSD_HOST: statsd_exporter
  STATSD_PORT: "9125"
services:
  lab:
    healthcheck:
      disable: true
    environment:
      <<: *e2e
      METRICS_INSTANCE: lab-a
  lab_b:
    image: $IMAGE
    container_name: lab_b
    init: true
    cpus: 1.0
    mem_limit: 256m
    memswap_limit: 256m
    healthcheck:
      disable: true
    environment:
      <<: *e2e
      METRICS_INSTANCE: lab-b
    ports:
      - "127.0.0.1:$LAB_B_PORT:8000"
    networks: [lab_network]
    depends_on: [statsd_exporter]
EOF
    FILES+=(-f "$override")
    trap 'down || true; rm -f "$override"' EXIT
    up
    rc=0
    wait_logged lab_b
    METRICS_E2E_SERVER_URL=http://127.0.0.1:$LAB_PORT METRICS_E2E_SERVER_B_URL=http://127.0.0.1:$LAB_B_PORT \
      METRICS_E2E_EXPORTER_URL=http://127.0.0.1:$EXPORTER_PORT \
      METRICS_E2E_PROMETHEUS_URL=http://127.0.0.1:$PROMETHEUS_PORT \
      node --test --test-concurrency=1 dist/server/metrics.e2e.js || rc=$?
    if [[ $rc != 0 ]]; then "${COMPOSE[@]}" -p "$PROJECT" "${FILES[@]}" logs --tail 30 >&2 || true; fi
    exit "$rc"
    ;;
  *) say "usage: $0 up|down|test"; exit 2 ;;
esac
