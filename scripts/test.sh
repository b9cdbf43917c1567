#!/usr/bin/env bash
# Builds nixpp (warnings are errors) and runs every test: unit tests, end-to-end CLI tests on
# throwaway stores, the layer check, and the language conformance suite when ../shared is there.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
build=${NIXPP_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DNIXPP_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
cd "$build"
ctest --output-on-failure -j"$(nproc)" "$@"
