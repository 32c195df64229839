# Docker for real: an engine when none answers (scripts/docker-engine.sh), base images made without
# a registry (scripts/docker-images.sh), the image (Dockerfile, scripts/docker-build.sh), the compose
# stack, and the tests that build and run them. Every target that needs an engine starts one only when
# none answers, and stops only that one when it is done; an engine the user runs is used as it is.
# DOCKER_BASE=official builds on the Dockerfile's official base images instead of the local stand-ins.
.PHONY: docker-engine docker-engine-stop docker-bases docker-build compose-up compose-down test-docker docker-test-steps test-runtimes

TEST_PARTS += test-docker test-runtimes
ENGINE := scripts/docker-engine.sh
# docker-compose (Debian's, v1) or the compose plugin (`docker compose`), whichever is installed.
COMPOSE = $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)

docker-engine: ## Start a Docker engine if none answers (installs Debian's docker.io); says what it did
	$(ENGINE) start

docker-engine-stop: ## Stop the engine `make docker-engine` started (and only that one)
	$(ENGINE) stop

docker-bases: ## Build the registry-free stand-ins for the Dockerfile's base images (once; cached by tag)
	$(ENGINE) run -- scripts/docker-images.sh

docker-build: ## Build the image backend-bottleneck-lab (Node 24, native uWS) and print its size and build time
	$(ENGINE) run -- scripts/docker-build.sh

compose-up: ## The seed's stack for real: service (1 CPU, 256 MB), statsd_exporter, Prometheus; leaves the engine up
	$(ENGINE) start
	scripts/compose.sh up

compose-down: ## Stop and remove the compose stack, then the engine if `compose-up` started it
	scripts/compose.sh down
	$(ENGINE) stop

# The image built and run under --cpus=1 --memory=256m (limits, health, native uWS, known answers),
# then the compose stack with the metrics end-to-end test against it. Own ports (24xxx), so a
# service or monitoring running on the defaults is neither used nor disturbed.
DOCKER_TEST_PORT ?= 24080
test-docker: build ## End to end in Docker: image built, run limited and healthy, known answers; compose stack + metrics e2e
	@scripts/tools.sh statsd_exporter prometheus
	$(ENGINE) run -- $(MAKE) --no-print-directory docker-test-steps

docker-test-steps:
	scripts/docker-build.sh
	DOCKER_TEST_PORT=$(DOCKER_TEST_PORT) node --test --test-concurrency=1 dist/loadtests/docker.e2e.js
	scripts/compose.sh test

# The host runs every suite on its Node (22 here, uWS v20.51); this runs the ones whose outcome
# depends on the runtime again on the image's (Node 24 on Debian 13, uWS v20.57), in a container.
test-runtimes: build ## Engines, conformance vectors, robustness and the constrained e2e again on the image's Node 24 + uWS v20.57 (container)
	@scripts/tools.sh vegeta
	$(ENGINE) run -- scripts/runtime-tests.sh

# `make compare METHOD=docker`: the image is built (or found cached) before the run, so the service's
# start is not a build; run-constrained then finds it and `docker run`s it under the limits.
ifeq ($(METHOD),docker)
compare: docker-build
compare: export DOCKER_SKIP_BUILD = 1
endif
compare-methods: export DOCKER_SKIP_BUILD = 1

.PHONY: compare-methods
compare-methods: build compare-tools docker-build ## One run, two limits: make compare (ENGINES=native, quick) with METHOD=cgroup then METHOD=docker, capacities side by side
	node dist/compare/methods.js --profile $(if $(QUICK)$(LONG),$(COMPARE_PROFILE),quick)
