#!/usr/bin/env bash
# The layer check itself: it passes on the tree, and fails on an upward include, on src/expr
# including src/store, and on a system header in a pure layer.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check="$NIXPP_SRC/scripts/check-layers.sh"
bash "$check" "$NIXPP_SRC/src" > /dev/null

expect_fail() {  # expect_fail FILE LINE PATTERN
  rm -rf "$tmp/src" && cp -r "$NIXPP_SRC/src" "$tmp/src"
  echo "$2" >> "$tmp/src/$1"
  if bash "$check" "$tmp/src" > "$tmp/out" 2>&1; then echo "FAIL: '$2' in $1 passed the check"; exit 1; fi
  grep -q "$3" "$tmp/out" || { echo "FAIL: unexpected report for '$2' in $1:"; cat "$tmp/out"; exit 1; }
}
expect_fail expr/eval.h '#include "store/store.h"' 'layer violation: expr/eval.h includes "store/..."'
expect_fail format/hash.h '#include "sys/file.h"' 'layer violation: format/hash.h includes "sys/..."'
expect_fail sys/file.h '#include "cli/args.h"' 'layer violation: sys/file.h includes "cli/..."'
expect_fail util/strings.cc '#include <unistd.h>' 'system call in pure layer'
expect_fail format/nar.cc '#include <fstream>' 'system call in pure layer'
echo "layer check: 6 passed, 0 failed"
