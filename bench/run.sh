#!/usr/bin/env bash
# bench/run.sh: runs every benchmark (bench/*.sh but this one), one after the other.
# Env as the benchmarks take it: NIXPP_BIN (build dir, default ./build), NIX28_BIN, BENCH_*.
# Benchmarks are never part of ctest; see bench/README.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
status=0
for b in "$here"/*.sh; do
  [ "$(basename "$b")" = run.sh ] && continue
  echo "=== $(basename "$b" .sh)"
  bash "$b" || status=1
done
exit $status
