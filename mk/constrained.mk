# 1 CPU and 256 MB for real: the service under limits that are checked, not assumed (Docker when an
# engine answers, else a child cgroup of this shell's, else systemd-run), the image, the stack, and
# the end-to-end test that puts real load on the constrained service.
.PHONY: run-constrained test-constrained

CPUS ?= 1
MEMORY ?= 256m
TEST_PARTS += test-constrained

run-constrained: ## Run the service in CPUS=1 MEMORY=256m on HOST:PORT (Docker if it answers, else a cgroup; METHOD= forces one; PEER=django|node-http|uws-bare runs a peer instead)
ifeq ($(PEER),)
	@case "$(METHOD)" in docker) $(MAKE) --no-print-directory build-ts ;; \
	  ""|auto) if docker info >/dev/null 2>&1; then $(MAKE) --no-print-directory build-ts; else $(MAKE) --no-print-directory build; fi ;; \
	  *) $(MAKE) --no-print-directory build ;; esac
	$(if $(filter docker,$(METHOD)),scripts/docker-engine.sh run --) env CPUS=$(CPUS) MEMORY=$(MEMORY) scripts/run-constrained.sh
else
	@$(MAKE) --no-print-directory build-ts peer-check $(PEER_NEEDS_$(PEER))
	CPUS=$(CPUS) MEMORY=$(MEMORY) scripts/run-constrained.sh -- $(PEER_CMD)
endif


test-constrained: build ## End to end: the service under run-constrained, its limits, real vegeta runs (an attack, the seed's smoke), the memory cap
	scripts/tools.sh vegeta
	node --test --test-concurrency=1 dist/loadtests/constrained.e2e.js
