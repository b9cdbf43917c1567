#!/usr/bin/env bash
# A collection running in a loop (a few hundred times) while adds, evaluations writing .drv files
# and builds run in parallel never deletes a path they use or produce: every result is checked
# valid and complete afterwards, and the store verified by nixpp and Nix 2.8 at the end.
# Results are rooted so that they may be checked after their process exits: an add's and a
# build's by a link made beforehand to the path they will produce (a dangling root until then),
# an evaluation's by --add-root. Their inputs have no root: only temporary roots protect them.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  { wait; } 2>/dev/null || true
  chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"
}
trap cleanup EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STORE_DIR=$tmp/store NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR" "$tmp/w" "$tmp/state/gcroots"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
ns() { "$NIXPP_BIN/nix-store" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
w=$tmp/w
roots=$tmp/state/gcroots
gcRuns=${GC_RUNS:-300}
salt=$RANDOM$RANDOM
: > "$tmp/failures"
bad() { echo "$*" >> "$tmp/failures"; }

# The path `nix-store --add FILE` will produce, from a scratch store with the same store dir.
expectedAdd() { ns --store "local?root=$tmp/scratch" --add "$1"; }

adder() {
  local i=0 f p want
  while [ ! -e "$tmp/stop" ]; do
    i=$((i + 1)); f=$w/add-$i
    echo "add $i $salt" > "$f"; head -c $((RANDOM * 4)) /dev/urandom >> "$f"
    want=$(expectedAdd "$f"); ln -sfn "$want" "$roots/add-$i"
    p=$(ns --add "$f" 2>>"$tmp/add.err") || { bad "add $i failed: $(tail -1 "$tmp/add.err")"; continue; }
    [ "$p" = "$want" ] || bad "add $i: $p, expected $want"
    cmp -s "$f" "$p" || bad "add $i: contents of $p"
    ns --verify-path "$p" 2>/dev/null || bad "add $i: $p invalid or damaged"
    echo "junk $i $salt" > "$w/junk-$i"; ns --add "$w/junk-$i" >/dev/null 2>&1 || bad "add of junk $i failed"
  done
  echo "$i" > "$tmp/adds"
}

evaluator() {
  local i=0 d src
  while [ ! -e "$tmp/stop" ]; do
    i=$((i + 1))
    mkdir -p "$w/ev-$i"; echo "src $i $salt" > "$w/ev-$i/src"
    d=$("$NIXPP_BIN/nix-instantiate" --add-root "$w/ev-$i/drv" -E "
      derivation { name = \"ev-$i\"; system = \"x86_64-linux\"; builder = \"/bin/sh\";
        src = $w/ev-$i/src; txt = builtins.toFile \"t-$i\" \"text $i $salt\"; }" 2>>"$tmp/eval.err") ||
      { bad "eval $i failed: $(tail -1 "$tmp/eval.err")"; continue; }
    src=$(ns -q --references "$d" 2>/dev/null | grep -- "-src$") || { bad "eval $i: $d has no src reference"; continue; }
    ns --verify-path "$d" "$src" 2>/dev/null || bad "eval $i: $d or $src invalid or damaged"
    cmp -s "$w/ev-$i/src" "$src" || bad "eval $i: contents of $src"
  done
  echo "$i" > "$tmp/evals"
}

builder() {
  local i=0 d out got
  while [ ! -e "$tmp/stop" ]; do
    i=$((i + 1))
    echo "input $i $salt" > "$w/in-$i"
    d=$("$NIXPP_BIN/nix-instantiate" --add-root "$w/bd-$i" -E "
      derivation { name = \"b-$i\"; system = \"x86_64-linux\"; builder = \"/bin/sh\"; input = $w/in-$i;
        args = [ \"-c\" \"read x < \$input; echo \\\"\$x built\\\" > \$out\" ]; }" 2>>"$tmp/build.err") ||
      { bad "build $i: instantiation failed: $(tail -1 "$tmp/build.err")"; continue; }
    out=$(ns -q --outputs "$d"); ln -sfn "$out" "$roots/build-$i"
    got=$(ns -r "$d" 2>>"$tmp/build.err") || { bad "build $i failed: $(tail -1 "$tmp/build.err")"; continue; }
    [ "$got" = "$out" ] || bad "build $i: printed $got, expected $out"
    [ "$(cat "$out" 2>/dev/null)" = "input $i $salt built" ] || bad "build $i: contents of $out"
    ns --verify-path "$out" 2>/dev/null || bad "build $i: $out invalid or damaged"
  done
  echo "$i" > "$tmp/builds"
}

collector() {
  local i
  for ((i = 1; i <= gcRuns; i++)); do
    ns --gc > "$tmp/gc.out" 2>>"$tmp/gc.err" || bad "collection $i failed: $(tail -1 "$tmp/gc.err")"
  done
  touch "$tmp/stop"
}

adder & pids+=($!)
evaluator & pids+=($!)
builder & pids+=($!)
collector & pids+=($!)
for p in "${pids[@]}"; do wait "$p" || fail "a worker exited with an error"; done
pids=()

if [ -s "$tmp/failures" ]; then head -20 "$tmp/failures" >&2; for e in build eval add; do grep -n -B2 -A12 "^error" "$tmp/$e.err" | head -60 >&2; tail -n 30 "$tmp/$e.err" >&2; done; fail "$(wc -l < "$tmp/failures") failures"; fi
deleted=$(grep -c "^deleting '" "$tmp/gc.err" || true)
echo "gc_concurrent: $gcRuns collections ($deleted paths deleted) beside $(cat "$tmp/adds") adds, $(cat "$tmp/evals") evaluations, $(cat "$tmp/builds") builds"
[ "$(cat "$tmp/adds")" -gt 5 ] && [ "$(cat "$tmp/evals")" -gt 5 ] && [ "$(cat "$tmp/builds")" -gt 5 ] ||
  fail "too few operations ran beside the collections"
[ "$deleted" -gt 0 ] || fail "the collections deleted nothing (the test tests nothing)"

# Every rooted result is still there, and both implementations find the store intact.
for r in "$roots"/add-* "$roots"/build-*; do
  ns --verify-path "$(readlink "$r")" 2>/dev/null || fail "$(readlink "$r") (root $r) lost"
done
ns --verify --check-contents 2>/dev/null || fail "nixpp finds the store damaged"
nix-store --verify --check-contents 2>/dev/null || fail "Nix 2.8 finds the store damaged"
# Nothing half-deleted is left behind.
ns --gc >/dev/null 2>&1
[ ! -e "$tmp/store/.gc-trash" ] || fail "trash left behind"
[ -z "$(nix-store --gc --print-dead 2>/dev/null)" ] || fail "Nix 2.8 finds garbage after our last collection"
