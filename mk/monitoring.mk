# The metrics pipeline: server --StatsD/UDP--> statsd_exporter (statsd.conf) --> Prometheus (prom.yml),
# as local processes with pid files (scripts/monitoring.sh); its end-to-end test; what metrics cost (bench/metrics.ts).
.PHONY: monitoring monitoring-stop monitoring-status test-metrics bench-metrics

TEST_PARTS += test-metrics

monitoring: ## Start statsd_exporter (StatsD on 127.0.0.1:9125, /metrics on :9102) and Prometheus (:9090); installs them if missing
	scripts/monitoring.sh start

monitoring-stop: ## Stop exactly the statsd_exporter and Prometheus that `make monitoring` started
	scripts/monitoring.sh stop

monitoring-status: ## Whether the processes `make monitoring` started are running
	@scripts/monitoring.sh status

test-metrics: build ## End to end: real statsd_exporter + Prometheus on free ports, the server, known requests, exact series
	@scripts/tools.sh statsd_exporter prometheus
	node --test --test-concurrency=1 dist/server/metrics.e2e.js

bench-metrics: build ## /hello req/s with metrics on and off (server on CPU 1, wrk on CPU 0), ratio printed; target >= 0.9
	@scripts/tools.sh wrk statsd_exporter
	node dist/bench/metrics.js
