#!/usr/bin/env bash
# Crash safety of the collector: killed with SIGKILL at random points of a collection of a few
# hundred dead paths (chains of references, trees of files), it never leaves a valid path
# half-deleted: after each kill, `nix-store --verify --check-contents` of nixpp and of Nix 2.8
# find nothing wrong, and the live paths are intact; a last collection finishes the job and
# leaves no trash.
set -euo pipefail
: "${NIXPP_BIN:?}"
tmp=$(mktemp -d)
trap 'chmod -R u+w "$tmp" 2>/dev/null; rm -rf "$tmp"' EXIT
export NIX_CONF_DIR=$tmp/etc NIX_STORE_DIR=$tmp/store NIX_STATE_DIR=$tmp/state NIX_LOG_DIR=$tmp/log
mkdir -p "$NIX_CONF_DIR" "$tmp/w"
printf 'build-users-group =\nsandbox = false\nsubstituters =\n' > "$NIX_CONF_DIR/nix.conf"
ns() { "$NIXPP_BIN/nix-store" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
w=$tmp/w
salt=$RANDOM$RANDOM
rounds=${CRASH_ROUNDS:-12}

# Garbage for one round: a chain of 60 text paths each referring to the previous one, and 60
# directory trees.
garbage() {
  "$NIXPP_BIN/nix-instantiate" --read-write-mode --eval -E "
    let f = n: if n == 0 then builtins.toFile \"c0-$1\" \"$salt $1\"
               else builtins.toFile \"c\${toString n}-$1\" \"\${f (n - 1)}\"; in f 60" >/dev/null
  local i
  for ((i = 0; i < 60; i++)); do
    mkdir -p "$w/g$1-$i/sub"; echo "$salt $1 $i" > "$w/g$1-$i/a"; echo "$i" > "$w/g$1-$i/sub/b"
    head -c 20000 /dev/urandom > "$w/g$1-$i/sub/c"
  done
  ns --add "$w"/g"$1"-* >/dev/null
  rm -rf "$w"/g"$1"-*
}

# Live paths: a rooted chain.
live=$("$NIXPP_BIN/nix-instantiate" --read-write-mode --eval -E "
  let f = n: if n == 0 then builtins.toFile \"l0\" \"$salt live\"
             else builtins.toFile \"l\${toString n}\" \"\${f (n - 1)}\"; in f 20" | tr -d '"')
mkdir -p "$tmp/state/gcroots"; ln -s "$live" "$tmp/state/gcroots/live"
ns -q -R "$live" | sort > "$tmp/live-closure"
[ "$(wc -l < "$tmp/live-closure")" = 21 ] || fail "test setup: live closure"

check() {
  ns --verify --check-contents > /dev/null 2> "$tmp/verify.ours" || { cat "$tmp/verify.ours"; fail "$1: nixpp --verify failed"; }
  ! grep -q -e disappeared -e modified -e "not valid" "$tmp/verify.ours" || { cat "$tmp/verify.ours"; fail "$1: nixpp --verify complains"; }
  nix-store --verify --check-contents > /dev/null 2> "$tmp/verify.nix" || { cat "$tmp/verify.nix"; fail "$1: Nix 2.8 --verify failed"; }
  ! grep -q -e disappeared -e modified "$tmp/verify.nix" || { cat "$tmp/verify.nix"; fail "$1: Nix 2.8 --verify complains"; }
  diff "$tmp/live-closure" <(ns -q -R "$live" | sort) || fail "$1: live closure changed"
  while read -r p; do [ -e "$p" ] || fail "$1: live path $p missing"; done < "$tmp/live-closure"
}

killed=0
# The kill lands at a random moment within `bound` ms; a collection that finished first halves the
# bound, so the test keeps hitting collections whatever the machine's speed and load.
bound=250
for ((r = 1; r <= rounds; r++)); do
  garbage "$r"
  # The nix-store process itself, not `ns` (a function: `&` would fork a subshell to run it, and
  # kill -9 of that subshell would leave the collection running on, beside the checks).
  "$NIXPP_BIN/nix-store" --gc > /dev/null 2> "$tmp/gc.err" &
  pid=$!
  sleep "0.$(printf '%03d' $((RANDOM % bound)))"
  kill -9 "$pid" 2>/dev/null || true
  status=0
  { wait "$pid"; } 2>/dev/null || status=$?
  case $status in
    137) killed=$((killed + 1)) ;;                       # SIGKILL: died mid-collection
    0) bound=$((bound > 4 ? bound / 2 : 2)) ;;           # finished before the kill
    *) cat "$tmp/gc.err"; fail "round $r: collection failed (status $status)" ;;
  esac
  ! kill -0 "$pid" 2>/dev/null || fail "round $r: the collection still runs"
  check "round $r ($([ "$status" = 137 ] && echo killed || echo finished) after $(grep -c "^deleting '" "$tmp/gc.err" || true) deletions)"
done
[ "$killed" -gt 0 ] || fail "no collection was killed (the test tests nothing)"

# A collection run to the end removes all the garbage and the trash of the killed ones.
ns --gc > /dev/null 2>&1 || fail "final collection"
check "final"
[ ! -e "$tmp/store/.gc-trash" ] || fail "trash left behind"
[ -z "$(nix-store --gc --print-dead 2>/dev/null)" ] || fail "garbage left behind"
[ "$(ls "$tmp/store" | grep -v '\.lock$' | wc -l)" = 21 ] || fail "store holds more than the live paths: $(ls "$tmp/store" | head)"
echo "gc_crash: $killed of $rounds collections killed, store intact each time"
