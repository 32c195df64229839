# vegeta for the distributed Job, at the version the lab pins (scripts/tools.sh), so a cluster's
# attackers and the loopback proof (make test-distributed) run the same program.
#   docker build -f deploy/k8s/loadtest/vegeta.Dockerfile -t backend-bottleneck-lab-vegeta:v12.13.0 deploy/k8s/loadtest
FROM golang:1.26-alpine AS build
ARG VEGETA_VERSION=v12.13.0
RUN CGO_ENABLED=0 GOBIN=/out go install github.com/tsenart/vegeta/v12@${VEGETA_VERSION}

FROM alpine:3.20
COPY --from=build /out/vegeta /usr/local/bin/vegeta
USER 65534
ENTRYPOINT ["vegeta"]
