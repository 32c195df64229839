# Backend bottleneck lab. `make help` lists every target; each is a thin wrapper over npm, cargo
# or a script in scripts/. Targets of each part live in mk/*.mk.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(CURDIR)/.tools/bin:$(PATH)

# HOST and PORT are not defined here: given on the command line (`make run PORT=9000`) or in the
# environment they reach every recipe as they are, and unset each tool takes the service's own
# defaults (server/config.ts, which shell reads through `node dist/lab/cli.js`).

# Each part's mk/*.mk defines its own targets and appends them here, so `make build` and
# `make test` grow with the project without one file every part edits.
BUILD_PARTS :=
TEST_PARTS :=
# What the parts' targets depend on for npm packages (the rule is below).
NODE_MODULES := node_modules/.package-lock.json
-include mk/*.mk

.PHONY: help setup build build-ts run test test-ts clean

help: ## List the targets with their descriptions
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | sort -u | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  \033[36m%-20s\033[0m %s\n", $$1, $$2}'

setup: $(NODE_MODULES) ## Install npm packages (as pinned by package-lock.json)

# `npm ci`: exactly the lock, never rewriting it. The lock holds every platform's optional
# packages (@napi-rs/cli's helpers list one per platform; npm installs only this machine's), as
# `npm install --package-lock-only` writes it; after a package.json change, regenerate it so.
# Side by side (two makes in one checkout) the installs take turns and the second finds it done;
# npm ci would otherwise empty node_modules under the first one's build. The target
# ($(NODE_MODULES), defined above the parts) is the file npm writes last, not the folder it makes
# first: a make beside a running npm ci waits for it instead of taking a half-filled folder for done.
$(NODE_MODULES): package.json package-lock.json
	@mkdir -p .tools
	flock .tools/.npm-ci.lock bash -c '[ $@ -nt package-lock.json -a $@ -nt package.json ] || npm ci --no-audit --no-fund'
	@touch $@

build-ts: $(NODE_MODULES) ## Compile the TypeScript (tsc) into dist/
	npm run build

build: build-ts $(BUILD_PARTS) ## Build everything: TypeScript, native addon, WebAssembly

test: build test-ts $(TEST_PARTS) ## Install what is missing, build, run every test suite

run: build ## Run the server on HOST:PORT (defaults: server/config.ts)
	node dist/server/main.js

test-ts: build ## Run the TypeScript test suites (node:test), every known-answer vector included
	LAB_TEST_ALL_VECTORS=1 npm test

clean: ## Remove build outputs (dist/, target/)
	rm -rf dist target

