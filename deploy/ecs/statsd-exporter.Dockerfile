# statsd_exporter with the lab's mapping baked in: ECS has no ConfigMap, and an image built from the
# repository's own statsd.conf keeps one copy of it (build context: the repository root).
#   docker build -f deploy/ecs/statsd-exporter.Dockerfile -t backend-bottleneck-lab-statsd-exporter .
# `make push-ecr` builds, tags and pushes it next to the service's image.
FROM prom/statsd-exporter:v0.31.0
COPY statsd.conf /etc/statsd/statsd.conf
# Only the task's own containers send StatsD (they share localhost in awsvpc mode); /metrics is
# open on 9102 for a Prometheus in the VPC.
CMD ["--statsd.mapping-config=/etc/statsd/statsd.conf", "--statsd.listen-udp=127.0.0.1:9125", "--statsd.listen-tcp=", "--web.listen-address=:9102"]
