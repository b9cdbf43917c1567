#!/usr/bin/env bash
# scripts/gen-hot-symbols.sh BUILD_DIR: regenerates scripts/hot-symbols.txt, the functions that
# `nix-instantiate` runs (start-up, evaluating and instantiating bench/eval/drvs.nix), for the
# linker to place first in the `nix` binary (CMakeLists.txt: lld's --symbol-ordering-file).
# Why: the kernel maps a binary's code in 64 KiB windows around each page touched, and counts
# them in the process's resident memory; the ~1 MiB of code these commands run was spread over
# ~3 MiB of windows. Packed together, nix-instantiate starts with ~1.3 MiB less RSS.
# Needs valgrind. Symbols that no longer exist are skipped by the linker, so a stale list only
# costs memory, never correctness; regenerate it after large changes of the evaluator or store.
set -euo pipefail
build=$(cd "${1:?usage: gen-hot-symbols.sh BUILD_DIR}" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp"; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log HOME=$tmp
mkdir -p "$NIX_CONF_DIR"
cp "$here"/bench/eval/drvs.nix "$here"/bench/eval/drvpaths.nix "$tmp/"
cd "$tmp"
run() { valgrind --tool=callgrind --demangle=no --callgrind-out-file="$tmp/cg.$1" "${@:2}" > /dev/null 2>&1; }
run one "$build/nix-instantiate" --eval -E 1
run ro "$build/nix-instantiate" --store "local?root=$tmp/r1" --eval --strict drvpaths.nix
run drvs "$build/nix-instantiate" --store "local?root=$tmp/r2" drvs.nix
# Function names in order of first appearance, start-up first; no addresses, no recursion marks.
for f in one ro drvs; do grep -E '^c?fn=\([0-9]+\) ' "cg.$f" | sed -E "s/^c?fn=\([0-9]+\) //; s/'[0-9]+$//"; done |
  grep -v '^0x' | awk '!seen[$0]++' > "$here/scripts/hot-symbols.txt"
wc -l "$here/scripts/hot-symbols.txt"
