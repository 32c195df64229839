#!/usr/bin/env bash
# The suites whose outcome depends on the runtime, run again on the image's runtime: Node 24 on
# Debian 13 (glibc 2.41), where uWS v20.57 loads. The host runs them on its own (Node 22 and uWS
# v20.51 on Debian 12): make test-ts, test-robustness, test-constrained.
#
#   scripts/runtime-tests.sh                 # engines + conformance vectors, robustness, constrained e2e
#   scripts/runtime-tests.sh dist/x.test.js  # just these
#
# A container of the image's Node base (scripts/docker-images.sh) plus make, with this checkout
# mounted at the same path. It shares the host's network (the suites load 127.0.0.1 only), process
# ids (they signal the server they started) and cgroups, with the cgroup tree mounted writable and
# CAP_SYS_ADMIN: the suites create and limit cgroups as run-constrained does, and mount a tiny tmpfs
# for the full-disk case. (Not --privileged: a sandboxed engine may refuse to grant every capability.) The checkout
# must be built (make build): the addon's glibc 2.36 symbols load on 2.41, and node_modules holds
# every uWS build's binaries. Needs an engine that answers (make test-runtimes starts one). The
# constrained e2e's docker-method cases (a stand-in docker CLI driving scripts/docker-images.sh) test
# the host's tooling, not the runtime, and are skipped here.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { printf 'runtime-tests: %s\n' "$*" >&2; }

suites=("$@")
[[ ${#suites[@]} -gt 0 ]] || suites=(dist/server/engines/conformance.test.js dist/server/engines/rust-loaders.test.js
  dist/server/main.test.js dist/server/robustness.e2e.js dist/loadtests/constrained.e2e.js)

# The --build-arg flags name the stand-in base images, building them once.
read -r -a build_args < <(scripts/docker-images.sh | tail -n 1)
node_image=
for a in "${build_args[@]}"; do [[ $a == NODE_IMAGE=* ]] && node_image=${a#NODE_IMAGE=}; done
[[ -n $node_image ]] || { say "scripts/docker-images.sh named no NODE_IMAGE"; exit 1; }
tag=lab-test/${node_image#*/}

if ! docker image inspect "$tag" >/dev/null 2>&1; then
  say "$tag: $node_image + make, procps (built once)"
  printf '%s\n' "FROM $node_image" \
    'RUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends make procps >/dev/null && rm -rf /var/lib/apt/lists/*' |
    docker build --network host -q -t "$tag" - >/dev/null
fi

say "on $tag: ${suites[*]}"
# NODE=system: make (which the constrained e2e calls) runs on this container's Node 24.
exec docker run --rm --cap-add SYS_ADMIN --cgroupns=host --pid=host --network=host \
  -v /sys/fs/cgroup:/sys/fs/cgroup:rw -v "$PWD:$PWD" -w "$PWD" -e NODE=system -e CI -e LAB_TEST_ALL_VECTORS=1 "$tag" \
  bash -c 'echo "# runtime: Node $(node --version), $(getconf GNU_LIBC_VERSION)"; exec node --test --test-concurrency=1 "$@"' bash \
  --test-skip-pattern='against a stand-in docker CLI' "${suites[@]}"
