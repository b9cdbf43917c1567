#!/usr/bin/env bash
# Builds nixpp (warnings are errors) and runs every test: unit tests, end-to-end CLI tests on
# throwaway stores, the layer check, and the language conformance suite when ../shared is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The pinned seed and sources of pkgs/ in a local hashed mirror, which tests/e2e/pkgs_*.sh build from.
bash scripts/fill-mirror.sh || echo "warning: the source mirror could not be filled: the pkgs_* tests will fail" >&2
build=${NIXPP_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DNIXPP_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
