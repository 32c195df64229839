# syntax=docker/dockerfile:1
# The service as an image: built with the same `make build` as on a workstation (tsc, the napi-rs
# addon, the WebAssembly module), run on a slim Node 20 as a non-root user.
#   docker build -t backend-bottleneck-lab .
#   docker run --rm --cpus=1 --memory=256m --memory-swap=256m -p 127.0.0.1:8000:8000 backend-bottleneck-lab
# `make run-constrained` does both when a Docker engine answers.
ARG NODE_VERSION=20
ARG RUST_VERSION=1.95

FROM node:${NODE_VERSION}-bookworm-slim AS node

# ---- build: Rust and Node together, because napi-rs drives cargo from npx --------------------------
FROM rust:${RUST_VERSION}-bookworm AS build
COPY --from=node /usr/local/bin/node /usr/local/bin/node
COPY --from=node /usr/local/lib/node_modules /usr/local/lib/node_modules
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && rustup target add wasm32-unknown-unknown
WORKDIR /src
# Dependencies first: this layer is reused until package*.json change. `npm ci`, as `make setup`.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
# node_modules is newer than package.json, so make does not install again; with rustup's wasm32
# target installed, build-wasm takes its rustup path.
RUN touch node_modules && make build

# ---- production dependencies only ------------------------------------------------------------------
FROM node AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# ---- runtime ---------------------------------------------------------------------------------------
FROM node
# HOST=0.0.0.0: inside a container, 127.0.0.1 would be unreachable through a published port.
# The heap cap suits the 256 MB this image is meant to run in: without it Node would allow a heap as
# large as the whole cap (scripts/run-constrained.sh explains the 5/8 rule and passes its own for
# other MEMORY values).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000 NODE_OPTIONS=--max-old-space-size=160
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=deps /app/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/native/package.json /src/native/index.js /src/native/index.d.ts /src/native/build-info.json native/
COPY --from=build /src/native/*.node native/
COPY --from=build /src/wasm/pkg wasm/pkg
USER node
EXPOSE 8000
# The probe runs inside the container's own 1 CPU and 256 MB: bash's /dev/tcp costs a few hundred
# kB where `node -e fetch(...)` would briefly take ~40 MB and ~50 ms of CPU every interval. uWS
# answers nothing to a request without a Host header, so the probe sends one.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PORT:-8000} && printf 'GET /heavy/health/ HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
CMD ["node", "dist/server/main.js"]
