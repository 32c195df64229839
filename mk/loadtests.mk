# The seed's load generators against a service already running on HOST:PORT (start one with
# `make run-constrained` in another terminal). Results and reports go to reports/vegeta/ and
# reports/k6/. Variables: RATE, DURATION, IMPL, IMPLS, MODE, PRIME_LIMIT, HASH_ROUNDS, IO_KB.
.PHONY: tools load-tools attack attack-heavy max-rate k6-smoke k6-load k6-rate

tools: ## Install vegeta, k6, statsd_exporter (go install, pinned) and wrk, prometheus, chromium (Debian); print versions
	scripts/tools.sh

load-tools:
	@scripts/tools.sh vegeta k6

attack: load-tools ## The seed's vegeta attack: GET /hello at 1500 req/s for 30 s (RATE, DURATION), results.bin kept
	loadtests/vegeta/attack.sh hello

attack-heavy: load-tools ## vegeta on /heavy/cpu-io-no-db/ once per engine in IMPLS (RATE=2, DURATION=20s)
	loadtests/vegeta/attack.sh heavy

max-rate: load-tools ## Highest /hello rate with 100% success and p99 < 10 ms (bounded search, ~3 min)
	loadtests/vegeta/max-rate.sh

k6-smoke: load-tools ## k6 smoke: 10 VUs for 30 s on the heavy endpoint (IMPL, MODE, DURATION)
	@mkdir -p "$${SUMMARY_DIR:-reports/k6}"
	k6 run loadtests/k6/smoke.js

k6-load: load-tools ## The seed's k6 ramp 1->150 VUs over 10 minutes, with its thresholds
	@mkdir -p "$${SUMMARY_DIR:-reports/k6}"
	k6 run loadtests/k6/load.js

k6-rate: load-tools ## k6 at a constant arrival rate, once per engine in IMPLS (RATE=2, DURATION=1m)
	@mkdir -p "$${SUMMARY_DIR:-reports/k6}"; failed=""; \
	for impl in $${IMPLS:-js wasm native hash-wasm node-crypto}; do \
	  echo "== $$impl"; IMPL=$$impl k6 run loadtests/k6/rate.js || failed="$$failed $$impl"; \
	done; \
	if [ -n "$$failed" ]; then echo "k6-rate: thresholds failed or run aborted for:$$failed"; exit 1; fi
