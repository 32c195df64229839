# The seed's load tests against a service already running on HOST:PORT (start one with
# `make run-constrained` in another terminal), all on vegeta (MIT). Raw results and reports go to
# reports/vegeta/ and reports/loadtests/.
#   smoke/load variables: VUS, DURATION, SCALE (load stages x SCALE), IMPL, MODE, MODEL (closed|open),
#   THINK (s between a VU's requests, default 1; 0 = back to back), PRIME_LIMIT, HASH_ROUNDS, IO_KB.
#   attack variables: RATE, DURATION, IMPLS, MODE, PRIME_LIMIT, HASH_ROUNDS, IO_KB.
.PHONY: tools load-tools smoke load attack attack-heavy

tools: ## Install vegeta, oha, statsd_exporter (pinned go/cargo install into .tools/bin), h2load, wrk, prometheus, chromium (Debian), build pacer; print versions
	scripts/tools.sh
	@$(MAKE) --no-print-directory pacer
	@target/release/pacer --version

load-tools:
	@scripts/tools.sh vegeta

smoke: build-ts load-tools ## The seed's smoke on vegeta: 10 VUs for 30 s on the heavy endpoint, the seed's thresholds; exit status = verdict
	node dist/loadtests/run.js smoke

load: build-ts load-tools ## The seed's ramp 1->5->20->50->100->150->0 VUs over 10 min on vegeta (SCALE=0.1: 1 min), the seed's thresholds
	node dist/loadtests/run.js load

attack: load-tools build-ts ## The seed's vegeta attack: GET /hello at 1500 req/s for 30 s (RATE, DURATION), results.bin kept
	loadtests/vegeta/attack.sh hello

attack-heavy: load-tools build-ts ## vegeta on /heavy/cpu-io-no-db/ once per engine in IMPLS (RATE=2, DURATION=20s)
	loadtests/vegeta/attack.sh heavy

