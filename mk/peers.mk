# Peers: the same endpoints on other stacks, measured beside the lab in the same run (peers/).
#   django     the seeds' service: Django + gunicorn (4 workers x 2 threads, timeout 120), Python venv
#   node-http  /hello on plain node:http, no framework
#   uws-bare   /hello on the barest uWebSockets.js server: the ceiling of the /hello measurement
# `make run-peer PEER=...` runs one on HOST:PORT; `make run-constrained PEER=...` under CPUS/MEMORY.
.PHONY: peer-setup run-peer test-peers peer-check

TEST_PARTS += test-peers

PEER ?=
PYTHON ?= python3
DJANGO_DIR := peers/django
DJANGO_VENV := $(DJANGO_DIR)/.venv

# What runs each peer, from the repository root (scripts/run-constrained.sh runs it from there too).
PEER_CMD_django := $(DJANGO_VENV)/bin/gunicorn -c $(DJANGO_DIR)/gunicorn.conf.py
PEER_CMD_node-http := node dist/peers/node-http/server.js
PEER_CMD_uws-bare := node dist/peers/uws-bare/server.js
PEER_NEEDS_django := peer-setup
PEER_NEEDS_node-http := build-ts
PEER_NEEDS_uws-bare := build-ts
PEER_CMD = $(PEER_CMD_$(PEER))

# The Python the venv is made from must be 3.10+ (Django 5.2). Debian's python3 lacks the venv
# module until python3-venv is installed; install it then, as the other parts install their packages.
$(DJANGO_VENV)/.installed: $(DJANGO_DIR)/requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 10))' || \
	  { echo "peer-setup: $(PYTHON) is $$($(PYTHON) --version 2>&1); Django 5.2 needs Python 3.10+ (PYTHON=...)" >&2; exit 2; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "peer-setup: $(PYTHON) has no venv module; installing Debian's python3-venv"; \
	  scripts/apt-install.sh python3-venv; }
	@mkdir -p .tools
	@# Side by side (make -j, or two targets that both need it) the installs take turns; the second
	@# finds the venv made and leaves it.
	flock .tools/.peer-venv.lock bash -c 'set -e; [ $@ -nt $< ] && exit 0; \
	  rm -rf $(DJANGO_VENV); $(PYTHON) -m venv $(DJANGO_VENV); \
	  $(DJANGO_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --require-hashes -r $<; touch $@'

peer-setup: $(DJANGO_VENV)/.installed ## Install the Django peer's pinned requirements into peers/django/.venv

# `make tools` installs every tool, the peer's Python packages included.
tools: peer-setup

# The peer names live in lab/peers.ts (compare/ reads the same list).
peer-check: build-ts
	@node dist/lab/cli.js check-peer '$(PEER)'

# HOST and PORT from the lab's defaults when unset (server/config.ts, loopback checked).
run-peer: peer-check ## Run a peer on HOST:PORT without limits: PEER=django|node-http|uws-bare
	@$(MAKE) --no-print-directory $(PEER_NEEDS_$(PEER))
	HOST=$$(node dist/lab/cli.js get host) && PORT=$$(node dist/lab/cli.js get port) && export HOST PORT && $(PEER_CMD)

test-peers: build peer-setup ## The peers for real: Django's own tests, then gunicorn and node:http against fixtures/vectors.json
	cd $(DJANGO_DIR) && .venv/bin/python manage.py test heavy_api
	node --test --test-concurrency=1 dist/peers/peers.e2e.js

# `make compare` measures the peers in the same run: Django's packages must be there.
compare: peer-setup
