#!/usr/bin/env bash
# Builds the service's image and the statsd_exporter sidecar's (deploy/ecs/statsd-exporter.Dockerfile),
# and pushes both to Amazon ECR, creating the repositories if missing:
#   make push-ecr AWS_ACCOUNT_ID=123456789012 AWS_REGION=us-east-1 [TAG=...] [PLATFORM=linux/arm64]
#   make push-ecr DRY_RUN=1 ...     # prints the commands and runs none (what `make test` checks)
# Needs the AWS CLI v2 with credentials for the account, and a Docker engine. Without AWS_ACCOUNT_ID
# the account is asked of STS (aws sts get-caller-identity). The image URIs it prints are what
# deploy/ecs/*.yaml take as ImageUri and ExporterImageUri.
set -euo pipefail
cd "$(dirname "$0")/.."

REGION=${AWS_REGION:-us-east-1}
TAG=${TAG:-$(git rev-parse --short=12 HEAD 2>/dev/null || echo latest)}
PLATFORM=${PLATFORM:-linux/amd64}
DRY_RUN=${DRY_RUN:-0}
SERVICE_REPO=${SERVICE_REPO:-backend-bottleneck-lab}
EXPORTER_REPO=${EXPORTER_REPO:-backend-bottleneck-lab-statsd-exporter}

fail() { echo "push-ecr: $*" >&2; exit 2; }
[[ $REGION =~ ^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-[0-9]$ ]] || fail "AWS_REGION '$REGION' is not a region name (e.g. us-east-1)"
[[ $TAG =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]] || fail "TAG '$TAG' is not a valid image tag"
[[ $PLATFORM == linux/amd64 || $PLATFORM == linux/arm64 ]] || fail "PLATFORM must be linux/amd64 or linux/arm64 (got '$PLATFORM')"
[[ $DRY_RUN == 0 || $DRY_RUN == 1 ]] || fail "DRY_RUN must be 0 or 1 (got '$DRY_RUN')"

if [[ -z ${AWS_ACCOUNT_ID:-} ]]; then
  if [[ $DRY_RUN == 1 ]]; then
    AWS_ACCOUNT_ID='<account-id>'
  else
    command -v aws >/dev/null || fail "the AWS CLI (aws) is not installed"
    AWS_ACCOUNT_ID=$(aws sts get-caller-identity --query Account --output text) ||
      fail "no AWS credentials (aws sts get-caller-identity failed); set them up or pass AWS_ACCOUNT_ID"
  fi
fi
[[ $AWS_ACCOUNT_ID =~ ^[0-9]{12}$ || $AWS_ACCOUNT_ID == '<account-id>' ]] || fail "AWS_ACCOUNT_ID must be 12 digits (got '$AWS_ACCOUNT_ID')"
REGISTRY="$AWS_ACCOUNT_ID.dkr.ecr.$REGION.amazonaws.com"

if [[ $DRY_RUN == 0 ]]; then
  for cmd in aws docker; do command -v "$cmd" >/dev/null || fail "$cmd is not installed"; done
fi

# Prints each command; runs it unless DRY_RUN=1. A pipe is given as one shell string.
step() {
  echo "+ $*"
  [[ $DRY_RUN == 1 ]] || bash -c "$*"
}

for repo in "$SERVICE_REPO" "$EXPORTER_REPO"; do
  step "aws ecr describe-repositories --region $REGION --repository-names $repo >/dev/null 2>&1 || aws ecr create-repository --region $REGION --repository-name $repo --image-scanning-configuration scanOnPush=true >/dev/null"
done
step "aws ecr get-login-password --region $REGION | docker login --username AWS --password-stdin $REGISTRY"
step "docker build --platform $PLATFORM -t $SERVICE_REPO:$TAG ."
step "docker build --platform $PLATFORM -f deploy/ecs/statsd-exporter.Dockerfile -t $EXPORTER_REPO:$TAG ."
for repo in "$SERVICE_REPO" "$EXPORTER_REPO"; do
  step "docker tag $repo:$TAG $REGISTRY/$repo:$TAG"
  step "docker push $REGISTRY/$repo:$TAG"
done
echo "ImageUri=$REGISTRY/$SERVICE_REPO:$TAG"
echo "ExporterImageUri=$REGISTRY/$EXPORTER_REPO:$TAG"
