#!/usr/bin/env sh
# Runs the distributed attack on the current kubectl context and prints the merged report:
#   deploy/k8s/loadtest/run.sh
# Needs a cluster where deploy/k8s/base is applied (the targets point at its Service) and a
# ReadWriteMany storage class for pvc.yaml. Nothing here runs in `make test`: there is no cluster.
set -eu
here=$(dirname "$0")
kubectl -n backend-bottleneck-lab delete job vegeta-attack vegeta-merge --ignore-not-found
kubectl apply -k "$here"
kubectl -n backend-bottleneck-lab wait --for=condition=complete job/vegeta-attack --timeout=20m
kubectl apply -f "$here/merge-job.yaml"
kubectl -n backend-bottleneck-lab wait --for=condition=complete job/vegeta-merge --timeout=5m
kubectl -n backend-bottleneck-lab logs job/vegeta-merge
