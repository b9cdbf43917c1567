#!/usr/bin/env bash
# Builds nixpp and runs its main job on a default store.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --build-only
build=${NIXPP_BUILD_DIR:-build}
cmake -S . -B "$build" -G Ninja -DNIXPP_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)"
bash scripts/demo.sh "$build"
