# The lab's main command: every engine x mode under 1 CPU and 256 MB, from verification to a report
# that says where each breaks and why (compare/run.ts). Raw results are kept under reports/<time>/,
# and `make report RUN=...` rebuilds the report from them alone.
.PHONY: compare report test-compare compare-tools

TEST_PARTS += test-compare

# QUICK=1: about 7 minutes (native and js, both modes, short steps, shortened peers); LONG=1: longer, finer sweeps.
COMPARE_PROFILE = $(if $(filter 1,$(QUICK)),quick,$(if $(filter 1,$(LONG)),long,default))
# SCALE=1: heavy native/pool and wasm/pool at CPUS 0.5, 1 and 2 instead (compare/measure/scenarios/scale.ts);
# with QUICK=1 its searches are the quick profile's. RATES= and TARGET_RPS= set the cost table's
# rates file (default deploy/rates/aws-us-east-1.json) and target rate (default 150 req/s).

compare-tools:
	@scripts/tools.sh vegeta wrk statsd_exporter prometheus
	@$(MAKE) --no-print-directory pacer

compare: build compare-tools ## Verify, then load every engine x mode under 1 CPU/256 MB; report in reports/latest (QUICK=1 ~7 min, LONG=1)
	node dist/compare/run.js --profile $(COMPARE_PROFILE)$(if $(filter 1,$(SCALE)), --scale)

report: build-ts ## Rebuild report.{json,md,html} of a compare run from its raw results: make report RUN=reports/<time>
	@test -n "$(RUN)" || { echo "usage: make report RUN=reports/<time>" >&2; exit 2; }
	node dist/compare/report.js $(RUN)

# Its own port, so a service left running on the default 8000 does not fail the test.
COMPARE_TEST_PORT ?= 18080

test-compare: build ## make compare QUICK=1 end to end, then the report's schema and its charts in headless Chromium
	@scripts/tools.sh chromium
	$(MAKE) --no-print-directory compare QUICK=1 PORT=$(COMPARE_TEST_PORT)
	node --test --test-concurrency=1 dist/compare/report.e2e.js dist/compare/prometheus.e2e.js
