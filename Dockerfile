# The service as an image, on Node 24 LTS (Debian 13 "trixie", glibc 2.41) with a native uWS binary
# built for Node 24's ABI, run as a non-root user. Three stages:
#   build    Rust + Node: the same `make build` as on a workstation (tsc, napi-rs addon, WebAssembly)
#   deps     production npm dependencies, each uWS build with only this image's binary (below)
#   runtime  Debian slim + the node binary + what the first two made: no compiler, no npm, no cargo
#
#   docker build --network host -t backend-bottleneck-lab .
#   docker run --rm --network host --cpus=1 --memory=256m --memory-swap=256m -e PORT=8000 backend-bottleneck-lab
# `make docker-build` and `make run-constrained METHOD=docker` do both, and start an engine if none
# answers (scripts/docker-engine.sh).
#
# Base images: the defaults are the official ones. Where no registry can be reached,
# scripts/docker-images.sh builds stand-ins from Debian's archive and the npm registry, and
# `make docker-build` passes them with --build-arg (NODE_IMAGE, RUST_IMAGE, RUNTIME_IMAGE).
# No `# syntax=` line: BuildKit would fetch that frontend from Docker Hub; the built-in one does.
ARG NODE_IMAGE=node:24-trixie-slim
ARG RUST_IMAGE=rust:1.95-bookworm
ARG RUNTIME_IMAGE=debian:trixie-slim

FROM ${NODE_IMAGE} AS node

# ---- build: Rust and Node together, because napi-rs drives cargo from npx --------------------------
# The build stage may be bookworm: the addon it links (glibc 2.36 symbols) loads on trixie's 2.41.
FROM ${RUST_IMAGE} AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
# The official rust image has rustup and takes make's rustup path to wasm32; the stand-in has Debian's
# Rust with its wasm32 standard library instead, which make's other path uses (mk/rust.mk).
RUN ln -sf ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -sf ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && if command -v rustup >/dev/null; then rustup target add wasm32-unknown-unknown; fi
WORKDIR /src
# Dependencies first: this layer is reused until package*.json change. `npm ci`, as `make setup`.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# npm's node_modules/.package-lock.json is newer than package.json, so make does not install again. NODE=system: this stage's
# Node 24 builds; no uWS needs to load here (the runtime stage is trixie, where v20.57 does).
RUN touch node_modules/.package-lock.json && make build NODE=system

# ---- production dependencies, with the image's uWebSockets.js builds ---------------------------------
# package.json carries two uWS builds (aliases uws-20.57 and uws-20.51, server/uws.ts); the server
# loads the newest whose binary loads here: Node 24 (ABI 137) on trixie's glibc 2.41 loads v20.57.
# Only each build's binary for this image's platform and ABI is kept (UWS_BUILDS=uws-20.51 runs the
# older one); the server refuses to start when none loads, and /heavy/health/ names the one that did.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && binary="uws_$(node -p 'process.platform + "_" + process.arch + "_" + process.versions.modules').node" \
 && for b in node_modules/uws-*; do test -f "$b/$binary"; done \
 && find node_modules/uws-* -name 'uws_*.node' ! -name "$binary" -delete \
 && rm -rf node_modules/.package-lock.json

# ---- runtime ---------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE}
# The same user as the official node images (uid 1000), without their npm and yarn.
RUN groupadd --gid 1000 node && useradd --uid 1000 --gid node --shell /bin/bash --create-home node
COPY --from=node /usr/local/bin/node /usr/local/bin/node
# The heap cap suits the 256 MB this image is meant to run in: without it Node would allow a heap as
# large as the whole cap (scripts/run-constrained.sh explains the 5/8 rule and passes its own for
# other MEMORY values). HOST=0.0.0.0 for a published port; with --network host pass HOST=127.0.0.1.
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 NODE_OPTIONS=--max-old-space-size=160
WORKDIR /app
COPY --from=deps /app/package.json /app/package-lock.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/native/package.json /src/native/index.js /src/native/index.d.ts /src/native/build-info.json native/
COPY --from=build /src/native/*.node native/
COPY --from=build /src/wasm/pkg wasm/pkg
USER node
EXPOSE 8000
# The probe runs inside the container's own 1 CPU and 256 MB: bash's /dev/tcp costs a few hundred
# kB where `node -e fetch(...)` would briefly take ~40 MB and ~50 ms of CPU every interval. uWS
# answers nothing to a request without a Host header, so the probe sends one. HOST 0.0.0.0 is probed
# on 127.0.0.1.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "h=${HOST:-127.0.0.1}; [ \"$h\" = 0.0.0.0 ] && h=127.0.0.1; exec 3<>/dev/tcp/$h/${PORT:-8000} && printf 'GET /heavy/health/ HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
CMD ["node", "dist/server/main.js"]
