# Past one machine: Kubernetes manifests (deploy/k8s), ECS CloudFormation (deploy/ecs), their
# offline validation, and the push of the images to ECR. No cluster and no AWS account are used:
# the validators read the files (scripts/validate-deploy.sh says which, pinned where).
.PHONY: validate-deploy test-deploy push-ecr attack-distributed test-distributed

TEST_PARTS += test-deploy test-distributed

validate-deploy: ## Validate deploy/ k8s manifests, ECS templates, prom.yml, statsd.conf, Dockerfiles offline (installs the validators)
	scripts/validate-deploy.sh

test-deploy: build validate-deploy ## validate-deploy, then a broken copy of each kind of file must be refused with the validator's message
	node --test --test-concurrency=1 dist/deploy/validate.e2e.js

push-ecr: ## Build and push both images to ECR (AWS_ACCOUNT_ID, AWS_REGION=us-east-1, TAG, PLATFORM); DRY_RUN=1 prints the commands
	scripts/push-ecr.sh

# Distributed load as a cluster runs it (deploy/k8s/loadtest), here with N local vegeta processes.
PARTS ?= 4
DIST_RATE ?= 400
DIST_DURATION ?= 10s
DIST_TARGET ?= hello

attack-distributed: build ## PARTS vegeta processes at DIST_RATE/PARTS each on HOST:PORT (DIST_TARGET=hello|heavy), merged by one vegeta report
	@scripts/tools.sh vegeta >/dev/null
	@mkdir -p reports/distributed
	@url=$$(node dist/lab/cli.js get base-url) && case "$(DIST_TARGET)" in \
	  hello) echo "GET $$url/hello" ;; \
	  heavy) echo "GET $$url/heavy/cpu-io-no-db/?impl=$${IMPL:-native}&mode=$${MODE:-pool}" ;; \
	  *) echo "DIST_TARGET must be hello or heavy" >&2; exit 2 ;; esac > reports/distributed/targets.txt
	node dist/loadtests/distributed/split.js --parts $(PARTS) --rate $(DIST_RATE) --duration $(DIST_DURATION) \
	  --targets reports/distributed/targets.txt --out reports/distributed

test-distributed: build ## 3 vegeta processes at rate/3 on loopback: merged counts are the sum, percentiles come from every sample
	@scripts/tools.sh vegeta >/dev/null
	node --test --test-concurrency=1 dist/loadtests/distributed/split.e2e.js
