# Formatting and lint: Biome for the TypeScript (biome.jsonc), rustfmt and clippy for the Rust (the
# root workspace and wasm/), ruff for the Django peer (peers/django/ruff.toml). Each tool's config
# says which files it checks. `make lint` runs every check (mk/lint.mjs) and fails on any finding;
# `make fmt` applies the three formatters; `make test` runs test-lint.
.PHONY: lint fmt test-lint ruff rust-lint-tools

TEST_PARTS += test-lint

# ruff, pinned with hashes in peers/django/requirements-lint.txt, installed on its own into .tools/
# by the Django peer's pip (make peer-setup makes that venv and checks its Python).
RUFF_DIR := .tools/ruff
RUFF := $(RUFF_DIR)/bin/ruff

$(RUFF_DIR)/.installed: peers/django/requirements-lint.txt | peer-setup
	@# Side by side the installs take turns; the second finds ruff installed and leaves it.
	flock .tools/.ruff.lock bash -c 'set -e; [ $@ -nt $< ] && exit 0; rm -rf $(RUFF_DIR); \
	  $(DJANGO_VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --require-hashes --target $(RUFF_DIR) -r $<; touch $@'

ruff: $(RUFF_DIR)/.installed ## Install ruff, the Django peer's linter and formatter, into .tools/ruff

# cargo fmt and cargo clippy are rustup components; added if missing (rustup must reach its server).
rust-lint-tools:
	@missing=$$(for c in rustfmt clippy; do rustup component list --installed | grep -q "^$$c-" || echo $$c; done); \
	if [ -n "$$missing" ]; then echo "installing rustup components:" $$missing; rustup component add $$missing; fi

tools: ruff rust-lint-tools

lint: $(NODE_MODULES) ruff rust-lint-tools ## Every formatter check and linter (TypeScript, Rust, Python): findings, a count per check, non-zero on any
	$(CARGO_ENV) RUFF=$(RUFF) node mk/lint.mjs

test-lint: lint ## make lint, as a part of make test

fmt: $(NODE_MODULES) ruff rust-lint-tools ## Apply the formatters: biome format (biome.jsonc's files), cargo fmt (both workspaces), ruff format
	node_modules/.bin/biome format --write .
	$(CARGO_ENV) cargo fmt --all
	cd wasm && $(CARGO_ENV) cargo fmt
	$(RUFF) format --no-cache peers/django
