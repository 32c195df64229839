# Past one machine: Kubernetes manifests (deploy/k8s), ECS CloudFormation (deploy/ecs), their
# offline validation, and the push of the images to ECR. No cluster and no AWS account are used:
# the validators read the files (scripts/validate-deploy.sh says which, pinned where).
.PHONY: validate-deploy test-deploy push-ecr

TEST_PARTS += test-deploy

validate-deploy: ## Validate deploy/ k8s manifests, ECS templates, prom.yml, statsd.conf, Dockerfiles offline (installs the validators)
	scripts/validate-deploy.sh

test-deploy: build validate-deploy ## validate-deploy, then a broken copy of each kind of file must be refused with the validator's message
	node --test --test-concurrency=1 dist/deploy/validate.e2e.js

push-ecr: ## Build and push both images to ECR (AWS_ACCOUNT_ID, AWS_REGION=us-east-1, TAG, PLATFORM); DRY_RUN=1 prints the commands
	scripts/push-ecr.sh
