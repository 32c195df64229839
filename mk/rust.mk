# Rust: the kernel crate (kernel/), its napi-rs addon (native/) and its WebAssembly module (wasm/).
# Speed flags live in Cargo.toml's [profile.release] and the .cargo/config.toml files; each build
# writes them with the compiler version into a build-info JSON next to its artifact.
.PHONY: build-native build-wasm wasm-with-rustup wasm-with-debian test-rust bench-kernel bench-engines

BUILD_PARTS += build-native build-wasm
TEST_PARTS += test-rust

# Flags set in the environment would replace the pinned ones in .cargo/config.toml.
CARGO_ENV := env -u RUSTFLAGS -u CARGO_ENCODED_RUSTFLAGS
HOST_TARGET = $(shell rustc -vV | sed -n 's/^host: //p')
WASM_TARGET := wasm32-unknown-unknown
WASM_OUT := target/wasm/$(WASM_TARGET)/release/wasm_kernel.wasm
# rustup here has only the x86_64 std and cannot download more, so without rustup's wasm32 target
# the module is built by Debian's Rust 1.63, whose wasm32 std is a package. Its rustc looks for a
# linker named rust-lld, which Debian does not ship; lld-14 (recommended by libstd-rust-dev-wasm32)
# provides the same LLVM linker as wasm-ld-14.
DEBIAN_RUST_PACKAGES := rustc cargo libstd-rust-dev-wasm32 lld-14

build-native: $(NODE_MODULES) ## Build the napi-rs addon (release) into native/, flags in native/build-info.json
	cd native && $(CARGO_ENV) npx napi build --platform --release
	node mk/build-info.mjs native/build-info.json "$$(ls native/kernel.*.node | head -n 1)" rustc \
	  $(HOST_TARGET) Cargo.toml .cargo/config.toml

build-wasm: ## Build the kernel as WebAssembly into wasm/pkg/ (installs Debian's Rust 1.63 if needed)
	@if rustup target list --installed 2>/dev/null | grep -qx $(WASM_TARGET); then \
	  $(MAKE) --no-print-directory wasm-with-rustup; \
	else \
	  $(MAKE) --no-print-directory wasm-with-debian; \
	fi

wasm-with-rustup:
	cd wasm && $(CARGO_ENV) cargo build --release --locked --target $(WASM_TARGET) --target-dir ../target/wasm
	@mkdir -p wasm/pkg && cp $(WASM_OUT) wasm/pkg/kernel.wasm
	node mk/build-info.mjs wasm/pkg/build-info.json wasm/pkg/kernel.wasm rustc $(WASM_TARGET) \
	  wasm/Cargo.toml wasm/.cargo/config.toml .cargo/config.toml

# Debian's cargo 0.66 reaches crates.io only through the git index, which this network does not
# serve, so rustup's cargo vendors wasm/Cargo.lock's crates first and Debian's builds offline.
# /usr/bin paths throughout: rustup's cargo and rustc come first on PATH.
wasm-with-debian:
	@scripts/apt-install.sh $(DEBIAN_RUST_PACKAGES)
	cd wasm && $(CARGO_ENV) cargo vendor --locked --versioned-dirs --quiet ../target/wasm-vendor > /dev/null
	cd wasm && $(CARGO_ENV) RUSTC=/usr/bin/rustc /usr/bin/cargo build --release --locked --offline \
	  --target $(WASM_TARGET) --target-dir ../target/wasm \
	  --config 'source.crates-io.replace-with="vendored"' \
	  --config 'source.vendored.directory="$(CURDIR)/target/wasm-vendor"' \
	  --config 'target.$(WASM_TARGET).linker="wasm-ld-14"'
	@mkdir -p wasm/pkg && cp $(WASM_OUT) wasm/pkg/kernel.wasm
	node mk/build-info.mjs wasm/pkg/build-info.json wasm/pkg/kernel.wasm /usr/bin/rustc $(WASM_TARGET) \
	  wasm/Cargo.toml wasm/.cargo/config.toml .cargo/config.toml

test-rust: ## Run the kernel's cargo tests (unit, doc, known answers from fixtures/vectors.json) and pacer's
	$(CARGO_ENV) cargo test --locked -p kernel
	$(CARGO_ENV) cargo test --release --locked -p pacer

# pacer/: the constant-rate /hello generator of make compare and make bench-generators (wrk2's
# model, latency from each request's due time), built like the rest of the workspace.
pacer: ## Build pacer, the /hello load generator (target/release/pacer)
	$(CARGO_ENV) cargo build --release --locked -p pacer
.PHONY: pacer

bench-kernel: ## Pure-Rust kernel benchmark: median ns per call, no JS (bench/results/kernel-latest.json)
	$(CARGO_ENV) cargo run --release --locked -p kernel --example bench

bench-engines: build ## Every engine and pure Rust on the default workload and sweeps: medians, checked answers
	$(CARGO_ENV) cargo build --release --locked -p kernel --example bench
	node dist/bench/engines.js
